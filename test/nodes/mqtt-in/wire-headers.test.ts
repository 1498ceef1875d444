/**
 * Fault 9 (issue 10): MQTT 5 user properties never pose as Sluice's own headers, on the way in (mqtt-in) or out
 * (mqtt-out), against the real Mosquitto.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Engine } from '../../../src/runtime/engine.js';
import { eventually } from '../../conformance/harness.js';
import { requireService } from '../../support/services.js';
import { type SinkHandle, sinks } from '../../support/test-nodes.js';
import { startFlow } from '../mqtt-support/flow.js';
import { clearSession, collector, connectPlain, uniqueBase, uniqueClientId } from '../mqtt-support/mqtt.js';

const run = await requireService('mosquitto');

let engines: Engine[] = [];
let sessions: string[] = [];
afterEach(async () => {
  for (const e of engines) await e.stop({ deadlineMs: 1000 });
  for (const id of sessions) await clearSession(id);
  engines = [];
  sessions = [];
});

/** User properties named like Sluice's headers and properties, repeated, and odd. */
function hostileUserProperties(): Record<string, string | string[]> {
  const user: Record<string, string | string[]> = Object.create(null);
  user['mqtt-message-expiry'] = '1';
  user['mqtt-response-topic'] = 'sluice-test/hijacked';
  user['mqtt-correlation-data'] = 'AQID';
  user['mqtt-qos'] = '2';
  user['content-type'] = 'text/evil';
  user['sluice-error'] = 'forged';
  user['sluice-error-node'] = 'nobody';
  user['Kafka-Offset'] = '7';
  user.tag = ['a', 'b'];
  Object.defineProperty(user, '__proto__', { value: 'proto', enumerable: true, writable: true }); // an own name
  user.site = 'plant-7';
  return user;
}

describe.runIf(run)('mqtt-in and mqtt-out: received user properties stay user properties', () => {
  it('keeps every user property in wire, only harmless single ones in headers, and sends them back unchanged', async () => {
    const base = uniqueBase('wire');
    const clientId = uniqueClientId('wire');
    sessions.push(clientId);
    const { engine } = await startFlow(
      [
        ['in', 'mqtt-in', { connection: 'broker', clientId, topics: [`${base}/in`] }],
        ['out', 'mqtt-out', { connection: 'broker', topic: `${base}/out` }],
        ['sink', 'test-sink', { failFlagged: false }],
      ],
      [
        ['in', 'out'],
        ['in', 'sink'],
      ],
    );
    engines.push(engine);
    const out = await collector(`${base}/out`);
    const pub = await connectPlain();
    await pub.publishAsync(`${base}/in`, '{"n":1}', {
      qos: 1,
      properties: { userProperties: hostileUserProperties() },
    });
    await pub.endAsync();
    const sink = sinks.get('sink') as SinkHandle;
    await eventually(
      () => out.packets.length,
      (n) => n >= 1,
      10_000,
      'the bridged message',
    );
    await out.close();

    // In: Sluice's names describe what Sluice saw; the user properties are all in wire, as sent.
    const msg = sink.delivered[0];
    expect(msg.headers['mqtt-qos']).toBe('1');
    expect(msg.headers['mqtt-message-expiry']).toBeUndefined();
    expect(msg.headers['mqtt-response-topic']).toBeUndefined();
    expect(msg.headers['content-type']).toBeUndefined();
    expect(msg.headers['sluice-error']).toBeUndefined();
    expect(msg.headers['Kafka-Offset']).toBeUndefined();
    expect(msg.headers.site).toBe('plant-7');
    expect(msg.headers.tag).toBeUndefined(); // repeated: in wire only, never joined
    expect(Object.hasOwn(msg.headers, '__proto__')).toBe(false);
    expect({ ...msg.wire }).toEqual({ ...hostileUserProperties() });
    expect(Object.getOwnPropertyDescriptor(msg.wire, '__proto__')?.value).toBe('proto');

    // Out: no user property became a real MQTT 5 property; all went out as user properties, repeats repeated.
    const props = out.packets[0].properties ?? {};
    expect(props.messageExpiryInterval).toBeUndefined();
    expect(props.responseTopic).toBeUndefined();
    expect(props.correlationData).toBeUndefined();
    expect(props.contentType).toBeUndefined();
    expect({ ...props.userProperties }).toEqual({ ...hostileUserProperties() });
  });

  it("the flow's own headers still set MQTT 5 properties and user properties", async () => {
    const base = uniqueBase('wire-flow');
    const clientId = uniqueClientId('wire-flow');
    sessions.push(clientId);
    const { engine } = await startFlow(
      [
        ['in', 'mqtt-in', { connection: 'broker', clientId, topics: [`${base}/in`] }],
        [
          'set',
          'transform',
          {
            expression: 'payload',
            headers: '{"mqtt-message-expiry": "600", "content-type": "application/json", "site": "plant-9"}',
          },
        ],
        ['out', 'mqtt-out', { connection: 'broker', topic: `${base}/out` }],
      ],
      [
        ['in', 'set'],
        ['set', 'out'],
      ],
    );
    engines.push(engine);
    const out = await collector(`${base}/out`);
    const pub = await connectPlain();
    const user = Object.assign(Object.create(null), { site: 'plant-7', tag: ['a', 'b'] });
    await pub.publishAsync(`${base}/in`, '{"n":1}', { qos: 1, properties: { userProperties: user } });
    await pub.endAsync();
    await eventually(
      () => out.packets.length,
      (n) => n >= 1,
      10_000,
      'the bridged message',
    );
    await out.close();
    const props = out.packets[0].properties ?? {};
    expect(props.messageExpiryInterval).toBeGreaterThan(0);
    expect(props.contentType).toBe('application/json');
    // The flow's `site` replaced the received one; the repeated `tag` went through as it came.
    expect({ ...props.userProperties }).toEqual({ site: 'plant-9', tag: ['a', 'b'] });
  });
});
