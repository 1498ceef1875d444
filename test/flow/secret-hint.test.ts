/** Issue 10, fault 8: the fix hint for a literal secret names the connection kind (or node type) it is in. */
import { describe, expect, it } from 'vitest';
import { catalog } from '../../nodes/catalog.js';
import { createFlowValidator } from '../../src/flow/validate.js';

const validator = createFlowValidator(catalog);

function hintFor(kind: string, config: Record<string, unknown>): string | undefined {
  const flow = { format: 'sluice/flow@1', nodes: [], edges: [], connections: [{ id: 'c', kind, config }] };
  return validator.validate(flow).problems.find((p) => p.code === 'literal-secret')?.hint;
}

describe('literal-secret fix hint', () => {
  it.each([
    ['postgres', { host: 'db', database: 'd', user: 'u', password: 'hunter2' }, 'POSTGRES_PASSWORD', 'postgres'],
    ['mysql', { host: 'db', database: 'd', user: 'u', password: 'hunter2' }, 'MYSQL_PASSWORD', 'mysql'],
    ['amqp', { host: 'h', password: 'hunter2' }, 'AMQP_PASSWORD', 'amqp'],
    ['kafka', { brokers: ['b:9092'], password: 'hunter2' }, 'KAFKA_PASSWORD', 'kafka'],
    ['mqtt', { url: 'mqtt://h', password: 'hunter2' }, 'MQTT_PASSWORD', 'mqtt'],
  ])('%s', (kind, config, env, file) => {
    const hint = hintFor(kind, config);
    expect(hint).toBe(`use a reference instead, e.g. "\${env:${env}}" or "\${file:/run/secrets/${file}}"`);
  });
});
