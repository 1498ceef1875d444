import { describe, expect, it } from 'vitest';
import { natsConnection } from '../../../nodes/connections/nats/definition.js';
import { NatsClient, type NatsSettings, natsOptions } from '../../../src/connectors/nats/client.js';
import { applyDefaults } from '../../../src/runtime/resolve-config.js';
import { requireService } from '../../support/services.js';

const up = await requireService('nats');
const settings = (c: Record<string, unknown> = {}) =>
  applyDefaults(natsConnection.config, c) as unknown as NatsSettings;

describe('nats connection', () => {
  it('splits a referenced comma-separated server list, names the client, reconnects forever', () => {
    const o = natsOptions(settings({ servers: ['nats://a:4222, nats://b:4222'] }), 'n');
    expect(o.servers).toEqual(['nats://a:4222', 'nats://b:4222']);
    expect(o).toMatchObject({ name: 'sluice-n', reconnect: true, maxReconnectAttempts: -1 });
  });

  it('backs off between reconnects within the configured bounds', () => {
    const o = natsOptions(settings({ reconnectDelayMs: 100, reconnectMaxDelayMs: 800 }), 'n');
    const delays = Array.from({ length: 10 }, () => o.reconnectDelayHandler?.() as number);
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(50);
    expect(Math.max(...delays)).toBeLessThanOrEqual(800);
  });

  it('user/password, token and TLS options', () => {
    expect(natsOptions(settings({ username: 'u', password: 'p' }), 'n')).toMatchObject({ user: 'u', pass: 'p' });
    expect(natsOptions(settings({ token: 't' }), 'n')).toMatchObject({ token: 't' });
    expect(natsOptions(settings(), 'n').tls).toBeUndefined();
    expect(natsOptions(settings({ servers: ['tls://h:4222'], ca: 'CA', verifyServer: false }), 'n').tls).toMatchObject({
      ca: 'CA',
      rejectUnauthorized: false,
    });
  });

  it('lint: one way to authenticate, both halves of user/password, no literal password in a URL', () => {
    // Lint always gets the config with its defaults applied (test/catalog/lint-contract.test.ts).
    const lint = (c: Record<string, unknown>) => (natsConnection.lint?.(settings(c) as never) ?? []).map((i) => i.path);
    expect(lint({ token: '${env:T}', username: 'u', password: '${env:P}' })).toEqual(['/token']);
    expect(lint({ username: 'u' })).toEqual(['/password']);
    expect(lint({ servers: ['nats://u:pw@h:4222'] })).toEqual(['/servers/0']);
    expect(lint({})).toEqual([]);
  });

  it.runIf(up)('check says why a server cannot be used', async () => {
    await expect(NatsClient.check(settings({ servers: ['nats://127.0.0.1:4222'] }), 'n')).resolves.toBeUndefined();
    await expect(NatsClient.check(settings({ servers: ['nats://127.0.0.1:1'] }), 'n')).rejects.toThrow(
      /connection "n": cannot connect to nats:\/\/127\.0\.0\.1:1/,
    );
  });
});
