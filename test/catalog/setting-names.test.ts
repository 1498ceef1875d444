import { describe, expect, it } from 'vitest';
import { catalog } from '../../nodes/catalog.js';
import { RETRY_FIELDS, retryProperties } from '../../src/spec/retry-schema.js';

describe('one set of names in the catalogue', () => {
  const shape = retryProperties({
    per: 'message',
    when: 'x',
    defaults: { attempts: 1, retryDelayMs: 1, retryMaxDelayMs: 1 },
  });
  const props = (s: unknown) => (s as { properties: Record<string, Record<string, unknown>> }).properties;

  it('every sink with retries has attempts, retryDelayMs and retryMaxDelayMs from the shared builder', () => {
    const withRetries = catalog.nodes.filter((d) => Object.keys(props(d.config)).some((k) => /retry|attempt/i.test(k)));
    expect(withRetries.map((d) => d.type).sort()).toEqual([
      'amqp-out',
      'kafka-out',
      'mqtt-out',
      'mysql-out',
      'nats-out',
      'postgres-out',
      'redis-out',
      'sqlite-out',
    ]);
    for (const def of withRetries) {
      expect(def.category, def.type).toBe('sink');
      const p = props(def.config);
      expect(
        Object.keys(p).filter((k) => /retry|attempt/i.test(k)),
        def.type,
      ).toEqual([...RETRY_FIELDS]);
      for (const name of RETRY_FIELDS) {
        const { default: _d, description: _s, ...rest } = p[name];
        const { default: _d2, description: _s2, ...expected } = shape[name] as unknown as Record<string, unknown>;
        expect(rest, `${def.type}.${name}`).toEqual(expected);
        expect(p[name]['x-advanced'], `${def.type}.${name}`).toBe(true);
      }
    }
  });

  it('keeps each sink its own defaults', () => {
    const defaults = Object.fromEntries(
      catalog.nodes
        .filter((d) => props(d.config).attempts)
        .map((d) => [d.type, RETRY_FIELDS.map((f) => props(d.config)[f].default)]),
    );
    expect(defaults).toEqual({
      'amqp-out': [6, 500, 8000],
      'kafka-out': [5, 500, 8000],
      'mqtt-out': [5, 500, 10000],
      'postgres-out': [5, 200, 5000],
      'mysql-out': [5, 200, 5000],
      'sqlite-out': [5, 200, 5000],
      'redis-out': [5, 500, 8000],
      'nats-out': [5, 500, 8000],
    });
  });

  it('every connection kind with certificate verification calls it verifyServer', () => {
    const kinds = catalog.connections.filter((k) =>
      Object.keys(props(k.config)).some((f) => /verify|reject|unauthori[sz]ed/i.test(f)),
    );
    expect(kinds.map((k) => k.kind).sort()).toEqual(['amqp', 'kafka', 'mqtt', 'mysql', 'nats', 'postgres', 'redis']);
    for (const k of kinds) {
      expect(
        Object.keys(props(k.config)).filter((f) => /verify|reject|unauthori[sz]ed/i.test(f)),
        k.kind,
      ).toEqual(['verifyServer']);
    }
  });
});
