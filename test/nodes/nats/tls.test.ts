/**
 * nats-out -> JetStream -> nats-in over TLS, against a nats-server of the test's own that requires TLS, with the CA
 * given as a `${file:}` reference as a user would; and a CA that did not sign the server's certificate.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { natsConnection as natsConnectionKind } from '../../../nodes/connections/nats/definition.js';
import { NatsClient, type NatsSettings } from '../../../src/connectors/nats/client.js';
import { NODE_PROBLEM } from '../../../src/kit/problem-text.js';
import { applyDefaults } from '../../../src/runtime/resolve-config.js';
import { eventually } from '../../conformance/harness.js';
import { type PrivateServer, startTlsNats } from '../../support/private-tls-servers.js';
import { selfSigned } from '../../support/self-signed.js';
import { roundTrip, type Started, startFlow } from '../../support/start-flow.js';
import { natsConnection, unique } from './support.js';

const cert = selfSigned('localhost', 'DNS:localhost,IP:127.0.0.1');
/** Signed nothing the server shows. */
const stranger = selfSigned('stranger', 'DNS:stranger');
const available = cert !== undefined && stranger !== undefined;
if (!available) console.warn('[skip] NATS TLS tests need openssl to make certificates');

describe.runIf(available)('nats over TLS (a private nats-server with JetStream)', () => {
  let server: PrivateServer;
  let secrets: string;
  let admin: NatsConnection;
  let flow: Started | undefined;
  const oldDirs = process.env.SLUICE_SECRET_DIRS;
  const url = () => `nats://127.0.0.1:${server.port}`;

  beforeAll(async () => {
    server = await startTlsNats(cert!);
    // The CA files live where `${file:}` references may read: the secret directories of this process.
    secrets = mkdtempSync(join(tmpdir(), 'sluice-nats-secrets-'));
    writeFileSync(join(secrets, 'ca.pem'), cert!.cert);
    writeFileSync(join(secrets, 'wrong-ca.pem'), stranger!.cert);
    process.env.SLUICE_SECRET_DIRS = secrets;
    admin = await connect({ servers: url(), tls: { ca: cert!.cert } });
  }, 30_000);

  afterAll(async () => {
    process.env.SLUICE_SECRET_DIRS = oldDirs;
    if (oldDirs === undefined) delete process.env.SLUICE_SECRET_DIRS;
    await admin?.close();
    await server?.stop();
    rmSync(secrets, { recursive: true, force: true });
  });

  afterEach(async () => {
    await flow?.engine.stop({ deadlineMs: 2000 });
    flow = undefined;
  });

  const connection = (caFile: string) =>
    natsConnection('nats', {
      servers: [url()],
      tls: true,
      ca: `\${file:${join(secrets, caFile)}}`,
      connectTimeoutMs: 3000,
    });

  it('moves messages end to end through nats-out and nats-in (JetStream) with the CA as a reference', async () => {
    const stream = unique('TLS');
    const jsm = await jetstreamManager(admin);
    await jsm.streams.add({ name: stream, subjects: [`${stream}.>`], storage: 'memory' as never });
    const trip = await roundTrip(
      [connection('ca.pem')],
      ['nats-out', { connection: 'nats', subject: `${stream}.in` }],
      ['nats-in', { connection: 'nats', stream, durable: unique('d') }],
    );
    flow = trip.flow;
    const { sent } = trip;
    // nats-in acknowledged every message (the acks went over the same TLS connection).
    await eventually(
      async () => (await jsm.consumers.list(stream).next()).map((c) => c.num_ack_pending + c.num_pending),
      (n) => n.length === 1 && n[0] === 0,
      10_000,
      'nothing pending on the consumer',
    );
    expect((await jsm.streams.info(stream)).state.messages).toBe(sent.length);
    for (const id of ['in', 'out']) expect(trip.flow.states(id).at(-1)).toEqual({ state: 'connected' });
    await jsm.streams.delete(stream);
  }, 60_000);

  it('a CA that did not sign the server certificate: both nodes say so, in the error pattern', async () => {
    const stream = unique('WRONGCA');
    flow = await startFlow(
      [connection('wrong-ca.pem')],
      [
        ['src', 'test-source', {}],
        ['out', 'nats-out', { connection: 'nats', subject: `${stream}.in` }],
        ['in', 'nats-in', { connection: 'nats', stream, createStream: true, subject: `${stream}.>` }],
        ['sink', 'test-sink', { failFlagged: false }],
      ],
      [
        ['src', 'out'],
        ['in', 'sink'],
      ],
    );
    for (const id of ['in', 'out']) {
      const type = id === 'in' ? 'nats-in' : 'nats-out';
      const error = await eventually(
        () => flow!.states(id).find((s) => s.state === 'error'),
        (s) => s !== undefined,
        15_000,
        `${type} reports the TLS failure`,
      );
      expect(error!.reason).toMatch(NODE_PROBLEM);
      expect(error!.reason).toMatch(new RegExp(`^${type} "${id}": `));
      // What happened (the certificate is not trusted) and what to do (the CA setting), not "check it is reachable".
      expect(error!.reason).toMatch(/certificate/i);
      expect(error!.reason).toMatch(/; .*\bCA\b/);
    }
    // The readers wait for a connection that never comes: stopping must not wait for it (it once hung ~15 s).
    const t0 = Date.now();
    await flow.engine.stop({ deadlineMs: 10_000 });
    flow = undefined;
    expect(Date.now() - t0).toBeLessThan(3000);
  }, 60_000);

  it('sluice check: connects with the right CA, and says what to set with a wrong one', async () => {
    const settings = (ca: string) =>
      applyDefaults(natsConnectionKind.config, {
        servers: [url()],
        tls: true,
        ca,
        connectTimeoutMs: 3000,
      }) as unknown as NatsSettings;
    await expect(NatsClient.check(settings(cert!.cert), 'n')).resolves.toBeUndefined();
    await expect(NatsClient.check(settings(stranger!.cert), 'n')).rejects.toThrow(
      /^connection "n": cannot connect to nats:\/\/127\.0\.0\.1:\d+: .*certificate.*; set the connection's CA certificates/,
    );
  }, 30_000);
});
