/**
 * redis-out -> Redis Stream -> redis-in over TLS, against a redis-server of the test's own that has no plain port,
 * with the CA given as a `${file:}` reference as a user would; and a CA that did not sign the server's certificate.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { redisConnection as redisConnectionKind } from '../../../nodes/connections/redis/definition.js';
import { RedisClient, type RedisSettings } from '../../../src/connectors/redis/client.js';
import { NODE_PROBLEM } from '../../../src/kit/problem-text.js';
import { applyDefaults } from '../../../src/runtime/resolve-config.js';
import { eventually } from '../../conformance/harness.js';
import { type PrivateServer, startTlsRedis } from '../../support/private-tls-servers.js';
import { selfSigned } from '../../support/self-signed.js';
import { roundTrip, type Started, startFlow } from '../../support/start-flow.js';
import { redisConnection, unique } from './support.js';

const cert = selfSigned('localhost', 'DNS:localhost,IP:127.0.0.1');
/** Signed nothing the server shows. */
const stranger = selfSigned('stranger', 'DNS:stranger');
const available = cert !== undefined && stranger !== undefined;
if (!available) console.warn('[skip] Redis TLS tests need openssl to make certificates');

describe.runIf(available)('redis over TLS (a private redis-server)', () => {
  let server: PrivateServer;
  let secrets: string;
  let flow: Started | undefined;
  const oldDirs = process.env.SLUICE_SECRET_DIRS;

  beforeAll(async () => {
    server = await startTlsRedis(cert!);
    // The CA files live where `${file:}` references may read: the secret directories of this process.
    secrets = mkdtempSync(join(tmpdir(), 'sluice-redis-secrets-'));
    writeFileSync(join(secrets, 'ca.pem'), cert!.cert);
    writeFileSync(join(secrets, 'wrong-ca.pem'), stranger!.cert);
    process.env.SLUICE_SECRET_DIRS = secrets;
  }, 30_000);

  afterAll(async () => {
    process.env.SLUICE_SECRET_DIRS = oldDirs;
    if (oldDirs === undefined) delete process.env.SLUICE_SECRET_DIRS;
    await server?.stop();
    rmSync(secrets, { recursive: true, force: true });
  });

  afterEach(async () => {
    await flow?.engine.stop({ deadlineMs: 2000 });
    flow = undefined;
  });

  const connection = (caFile: string) =>
    redisConnection('redis', {
      host: '127.0.0.1',
      port: server.port,
      tls: true,
      ca: `\${file:${join(secrets, caFile)}}`,
      connectTimeoutMs: 3000,
    });

  it('moves messages end to end through redis-out and redis-in with the CA as a reference', async () => {
    const stream = unique('tls');
    const group = unique('g');
    // Every write acknowledged by redis-out, every entry by redis-in (XACK over the same TLS connection).
    const trip = await roundTrip(
      [connection('ca.pem')],
      ['redis-out', { connection: 'redis', stream }],
      ['redis-in', { connection: 'redis', stream, group, start: 'earliest', blockMs: 100 }],
    );
    flow = trip.flow;
    const { sent } = trip;
    const check = new Redis({
      host: '127.0.0.1',
      port: server.port,
      tls: { ca: cert!.cert, servername: 'localhost' },
    });
    try {
      await eventually(
        async () => Number(((await check.xpending(stream, group)) as [number])[0]),
        (n) => n === 0,
        10_000,
        'nothing pending',
      );
      expect(await check.xlen(stream)).toBe(sent.length);
    } finally {
      check.disconnect();
    }
    for (const id of ['in', 'out']) expect(trip.flow.states(id).at(-1)).toEqual({ state: 'connected' });
  }, 60_000);

  it('a CA that did not sign the server certificate: both nodes say so, in the error pattern', async () => {
    const stream = unique('wrongca');
    flow = await startFlow(
      [connection('wrong-ca.pem')],
      [
        ['src', 'test-source', {}],
        ['out', 'redis-out', { connection: 'redis', stream }],
        ['in', 'redis-in', { connection: 'redis', stream, blockMs: 100 }],
        ['sink', 'test-sink', { failFlagged: false }],
      ],
      [
        ['src', 'out'],
        ['in', 'sink'],
      ],
    );
    for (const id of ['in', 'out']) {
      const type = id === 'in' ? 'redis-in' : 'redis-out';
      const error = await eventually(
        () => flow!.states(id).find((s) => s.state === 'error'),
        (s) => s !== undefined,
        15_000,
        `${type} reports the TLS failure`,
      );
      expect(error!.reason).toMatch(NODE_PROBLEM);
      expect(error!.reason).toMatch(new RegExp(`^${type} "${id}": rediss://127\\.0\\.0\\.1:${server.port}/0: `));
      // What happened (the certificate is not trusted) and what to do (the CA setting), not "check it is reachable".
      expect(error!.reason).toMatch(/certificate/i);
      expect(error!.reason).toMatch(/; .*\bCA\b/);
    }
  }, 60_000);

  it('sluice check: connects with the right CA, and says what to set with a wrong one', async () => {
    const settings = (ca: string) =>
      applyDefaults(redisConnectionKind.config, {
        host: '127.0.0.1',
        port: server.port,
        tls: true,
        ca,
        connectTimeoutMs: 3000,
      }) as unknown as RedisSettings;
    await expect(RedisClient.check(settings(cert!.cert), 'r')).resolves.toBeUndefined();
    await expect(RedisClient.check(settings(stranger!.cert), 'r')).rejects.toThrow(
      /^connection "r": cannot use rediss:\/\/127\.0\.0\.1:\d+\/0: self[- ]signed certificate; set the connection's CA certificates/,
    );
  }, 30_000);

  it('sluice check: a certificate for another host name says to connect by a name it holds', async () => {
    const elsewhere = selfSigned('elsewhere', 'DNS:elsewhere.example');
    expect(elsewhere).toBeDefined();
    const other = await startTlsRedis(elsewhere!);
    try {
      const settings = applyDefaults(redisConnectionKind.config, {
        host: '127.0.0.1',
        port: other.port,
        tls: true,
        ca: elsewhere!.cert,
        connectTimeoutMs: 3000,
      }) as unknown as RedisSettings;
      await expect(RedisClient.check(settings, 'r')).rejects.toThrow(
        /^connection "r": cannot use rediss:\/\/127\.0\.0\.1:\d+\/0: .*does not match certificate's altnames.*; connect by a host name the server certificate holds/,
      );
    } finally {
      await other.stop();
    }
  }, 30_000);
});
