import { describe, expect, it } from 'vitest';
import { redisConnection } from '../../../nodes/connections/redis/definition.js';
import { RedisClient, type RedisSettings, redisPlan } from '../../../src/connectors/redis/client.js';
import { applyDefaults } from '../../../src/runtime/resolve-config.js';
import { requireService } from '../../support/services.js';

const up = await requireService('redis');
const settings = (c: Record<string, unknown> = {}) =>
  applyDefaults(redisConnection.config, c) as unknown as RedisSettings;

describe('redis connection', () => {
  it('takes host, port, database and user from a URL, the password from its own field', () => {
    const plan = redisPlan(settings({ url: 'rediss://sluice@cache.internal:6380/3', password: 's3cret' }), 'r');
    expect(plan.options).toMatchObject({
      host: 'cache.internal',
      port: 6380,
      db: 3,
      username: 'sluice',
      password: 's3cret',
    });
    expect(plan.options.tls).toMatchObject({ rejectUnauthorized: true, servername: 'cache.internal' });
    expect(plan.describe).toBe('rediss://sluice@cache.internal:6380/3');
    expect(plan.describe).not.toContain('s3cret');
  });

  it('passes TLS certificates and verification through; no TLS unless asked', () => {
    expect(redisPlan(settings(), 'r').options.tls).toBeUndefined();
    const tls = redisPlan(settings({ tls: true, ca: 'CA', cert: 'CERT', key: 'KEY', verifyServer: false }), 'r').options
      .tls;
    expect(tls).toMatchObject({ ca: 'CA', cert: 'CERT', key: 'KEY', rejectUnauthorized: false });
  });

  it('never queues commands while down, and backs off between reconnects within the configured bounds', () => {
    const o = redisPlan(settings({ reconnectDelayMs: 100, reconnectMaxDelayMs: 1000 }), 'r').options;
    expect(o.enableOfflineQueue).toBe(false);
    const delays = Array.from({ length: 12 }, (_, i) => o.retryStrategy?.(i + 1) as number);
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(50);
    expect(Math.max(...delays)).toBeLessThanOrEqual(1000);
  });

  it('refuses a URL of another scheme with a clear error', () => {
    expect(() => redisPlan(settings({ url: 'http://x' }), 'cache')).toThrow(
      /connection "cache": the URL must start with redis:\/\//,
    );
  });

  it('lint: a literal password in the URL, and certificates without TLS', () => {
    // Lint always gets the config with its defaults applied (test/catalog/lint-contract.test.ts).
    const issues = redisConnection.lint?.(settings({ url: 'redis://u:pw@h:6379', ca: 'x' }) as never) ?? [];
    expect(issues.map((i) => i.path)).toEqual(['/url', '/tls']);
    expect(redisConnection.lint?.(settings({ url: 'redis://u:${env:P}@h' }) as never)).toEqual([]);
  });

  it.runIf(up)('check says why a server cannot be used', async () => {
    await expect(RedisClient.check(settings({ host: '127.0.0.1', port: 6379 }), 'r')).resolves.toBeUndefined();
    await expect(RedisClient.check(settings({ host: '127.0.0.1', port: 1 }), 'r')).rejects.toThrow(
      /connection "r": cannot use redis:\/\/127\.0\.0\.1:1\/0: connect ECONNREFUSED/,
    );
  });
});
