import { execFileSync } from 'node:child_process';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalog } from '../../../nodes/catalog.js';
import { mqttConnection } from '../../../nodes/connections/mqtt/definition.js';
import { runtime } from '../../../nodes/connections/mqtt/runtime.js';
import { type EmbeddedBroker, startEmbeddedBroker } from '../../../src/connectors/mqtt/embedded-broker.js';
import { createFlowValidator } from '../../../src/flow/validate.js';
import { Engine } from '../../../src/runtime/engine.js';
import { silentLogger } from '../../../src/runtime/log.js';
import { applyDefaults } from '../../../src/runtime/resolve-config.js';
import { eventually } from '../../conformance/harness.js';
import { selfSigned } from '../../support/self-signed.js';
import { requireService } from '../../support/services.js';
import { loadTestRuntime, type SinkHandle, sinks, testCatalog } from '../../support/test-nodes.js';
import { mqttFlow } from '../mqtt-support/flow.js';
import { MOSQUITTO, uniqueClientId } from '../mqtt-support/mqtt.js';

type Settings = Parameters<typeof runtime.check & object>[0];
const ctx = { log: silentLogger(), connectionId: 'broker' };
const settings = (c: Record<string, unknown>) => applyDefaults(mqttConnection.config, c) as Settings;
const check = (c: Record<string, unknown>) => runtime.check!(settings(c), ctx);

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe.runIf(await requireService('mosquitto'))('mqtt connection: check', () => {
  it('connects to a reachable broker, with either protocol version', async () => {
    await check({ url: MOSQUITTO, protocolVersion: '5' });
    await check({ url: MOSQUITTO, protocolVersion: '3.1.1' });
  });

  it('says why a broker cannot be reached', async () => {
    await expect(check({ url: 'mqtt://127.0.0.1:1' })).rejects.toThrow(/ECONNREFUSED/);
  });
});

describe.runIf(hasOpenssl())('mqtt connection: TLS and credentials (embedded broker)', () => {
  let key = '';
  let cert = '';
  let tls: EmbeddedBroker;
  let auth: EmbeddedBroker;
  beforeAll(async () => {
    const made = selfSigned('127.0.0.1', 'IP:127.0.0.1');
    if (!made) throw new Error('openssl could not make a certificate');
    ({ key, cert } = made);
    tls = await startEmbeddedBroker({ port: 0, tls: { key, cert } });
    auth = await startEmbeddedBroker({ port: 0, authenticate: (u, p) => u === 'sluice' && p === 's3cret' });
  });
  afterAll(async () => {
    await tls?.close();
    await auth?.close();
  });

  it('verifies the broker certificate by default', async () => {
    expect(tls.url).toMatch(/^mqtts:/);
    await expect(check({ url: tls.url, protocolVersion: '3.1.1' })).rejects.toThrow(/self-signed|self signed/);
  });

  it('trusts a broker signed by the configured CA', async () => {
    await check({ url: tls.url, protocolVersion: '3.1.1', ca: cert });
  });

  it('connects without verification only when told to', async () => {
    await check({ url: tls.url, protocolVersion: '3.1.1', verifyServer: false });
  });

  it('the old name rejectUnauthorized still turns verification off: renamed on load, with a warning', async () => {
    const { problems, flow } = createFlowValidator(catalog).validate({
      format: 'sluice/flow@1',
      connections: [
        { id: 'b', kind: 'mqtt', config: { url: tls.url, protocolVersion: '3.1.1', rejectUnauthorized: false } },
      ],
      nodes: [],
      edges: [],
    });
    expect(problems.map((p) => [p.severity, p.message])).toContainEqual([
      'warning',
      'rejectUnauthorized was renamed to verifyServer',
    ]);
    const config = flow!.connections![0].config;
    expect(config).toEqual({ url: tls.url, protocolVersion: '3.1.1', verifyServer: false });
    await check(config);
  });

  it('refuses TLS material that is not PEM, with a hint', async () => {
    await expect(check({ url: tls.url, protocolVersion: '3.1.1', ca: '/etc/ssl/ca.pem' })).rejects.toThrow(/file:/);
    const lint = mqttConnection.lint!(settings({ url: tls.url, ca: '/etc/ssl/ca.pem' }) as never);
    expect(lint.map((i) => i.path)).toContain('/ca');
  });

  it('sends the username and password, and reports a refusal', async () => {
    await check({ url: auth.url, protocolVersion: '3.1.1', username: 'sluice', password: 's3cret' });
    await expect(
      check({ url: auth.url, protocolVersion: '3.1.1', username: 'sluice', password: 'wrong' }),
    ).rejects.toThrow(/Bad username or password|Not authorized/);
  });

  it('resolves the password from an environment reference in a running flow', async () => {
    const engine = new Engine({
      catalog: testCatalog,
      loadRuntime: loadTestRuntime,
      resolve: { env: { SLUICE_TEST_MQTT_PASSWORD: 's3cret' }, readFile: () => '' },
    });
    const flow = mqttFlow(
      [
        ['in', 'mqtt-in', { connection: 'broker', topics: ['env/#'], clientId: uniqueClientId('env') }],
        ['sink', 'test-sink'],
      ],
      [['in', 'sink']],
      {
        connection: {
          url: auth.url,
          protocolVersion: '3.1.1',
          username: 'sluice',
          password: '${env:SLUICE_TEST_MQTT_PASSWORD}',
        },
      },
    );
    await engine.start(flow);
    try {
      const pub = await mqtt.connectAsync(auth.url, { username: 'sluice', password: 's3cret' });
      await pub.publishAsync('env/x', '{"ok": true}', { qos: 1 });
      await pub.endAsync();
      const sink = sinks.get('sink') as SinkHandle;
      await eventually(
        () => sink.delivered.length,
        (n) => n >= 1,
        10_000,
        'the message',
      );
      expect(sink.delivered[0].payload).toEqual({ ok: true });
    } finally {
      await engine.stop();
    }
  });
});
