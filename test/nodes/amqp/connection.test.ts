/** The `amqp` connection kind against RabbitMQ: `check` (for `sluice check`) and a password given as a reference. */
import { afterEach, describe, expect, it } from 'vitest';
import { amqpConnection as kind } from '../../../nodes/connections/amqp/definition.js';
import { runtime } from '../../../nodes/connections/amqp/runtime.js';
import { AmqpClient } from '../../../src/connectors/amqp/client.js';
import type { AmqpConnectionConfig } from '../../../src/connectors/amqp/connect-options.js';
import { silentLogger } from '../../../src/runtime/log.js';
import { applyDefaults } from '../../../src/runtime/resolve-config.js';
import { eventually } from '../../conformance/harness.js';
import { requireService } from '../../support/services.js';
import { type Started, startFlow } from '../../support/start-flow.js';
import { Admin, amqpConnection, BrokerProxy, unique } from './support.js';

const ctx = { log: silentLogger(), connectionId: 'rabbit' };
const config = (c: Record<string, unknown>) =>
  applyDefaults(kind.config, { host: '127.0.0.1', ...c }) as unknown as AmqpConnectionConfig;

describe.runIf(await requireService('rabbitmq'))('amqp connection', () => {
  let flow: Started | undefined;
  afterEach(async () => {
    await flow?.engine.stop({ deadlineMs: 1000 });
    flow = undefined;
  });

  it('check connects and closes', async () => {
    await expect(runtime.check!(config({}), ctx)).resolves.toBeUndefined();
  });

  it('check says why it cannot connect, without the password', async () => {
    const proxy = await BrokerProxy.start();
    await proxy.refuse();
    await expect(runtime.check!(config({ port: proxy.port, connectTimeoutMs: 2000 }), ctx)).rejects.toThrow(
      new RegExp(`cannot connect to amqp://guest@127\\.0\\.0\\.1:${proxy.port}/%2F: .*ECONNREFUSED`),
    );
    const refused = runtime.check!(config({ username: 'guest', password: 'wrong-password' }), ctx);
    await expect(refused).rejects.toThrow(/ACCESS.REFUSED/);
    await expect(refused).rejects.not.toThrow(/wrong-password/);
  });

  it('sends bursts of frames in one socket write (amqplib internals as expected)', async () => {
    const client = await AmqpClient.open(config({}), ctx);
    try {
      await eventually(
        () => client.status.state,
        (s) => s === 'connected',
        10_000,
        'connected',
      );
      // False would mean amqplib changed where batchFrameWrites hooks in: still correct, one write per frame.
      expect(client.framesBatched).toBe(true);
    } finally {
      await client.close();
    }
  });

  it('takes the password from an ${env:} reference', async () => {
    process.env.SLUICE_TEST_AMQP_PASSWORD = 'guest';
    const admin = await Admin.open();
    const queue = unique('q');
    try {
      flow = await startFlow(
        [amqpConnection('rabbit', { username: 'guest', password: '${env:SLUICE_TEST_AMQP_PASSWORD}' })],
        [
          ['in', 'amqp-in', { connection: 'rabbit', queue, durable: false }],
          ['sink', 'test-sink'],
        ],
        [['in', 'sink']],
      );
      await eventually(
        () => flow!.states('in').at(-1)?.state,
        (s) => s === 'connected',
        10_000,
        'connected',
      );
    } finally {
      await flow?.engine.stop();
      flow = undefined;
      await admin.close([queue]);
    }
  });

  it('a broker that refuses the login shows as an error with the reason, and keeps retrying', async () => {
    process.env.SLUICE_TEST_AMQP_BAD_PASSWORD = 'not-the-password';
    flow = await startFlow(
      [amqpConnection('rabbit', { password: '${env:SLUICE_TEST_AMQP_BAD_PASSWORD}' })],
      [
        ['in', 'amqp-in', { connection: 'rabbit', queue: unique('never') }],
        ['sink', 'test-sink'],
      ],
      [['in', 'sink']],
    );
    await eventually(
      () => flow!.states('in'),
      (s) => s.filter((x) => /ACCESS.REFUSED/.test(x.reason ?? '')).length >= 2,
      10_000,
      'repeated ACCESS_REFUSED statuses',
    );
    expect(flow.states('in').some((s) => s.state === 'error')).toBe(true);
  });
});
