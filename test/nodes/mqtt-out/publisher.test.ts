/**
 * The publish attempt against a stand-in client (no broker): acknowledgement, refusal, the acknowledgement timeout
 * (the attempt fails and leaves mqtt.js's resend store) and the receive-maximum slots.
 */
import type { MqttClient } from 'mqtt';
import { describe, expect, it } from 'vitest';
import { PublishRefused } from '../../../src/connectors/mqtt/publisher.js';
import { publishOnce } from '../mqtt-support/mqtt.js';

type Callback = (err?: Error) => void;

/** The parts of MqttClient the publisher uses; `answer` acknowledges (or fails) an outgoing publish later. */
function fakeClient(receiveMaximum?: number) {
  let nextId = 1;
  const outgoing: Record<number, { volatile: boolean; cmd: string; cb: Callback }> = {};
  const published: string[] = [];
  const client = {
    connected: true,
    stream: { cork() {}, uncork() {} },
    options: { protocolVersion: receiveMaximum ? 5 : 4 },
    serverProperties: receiveMaximum ? { receiveMaximum } : undefined,
    outgoing,
    publish(topic: string, _payload: unknown, opts: { qos?: number }, cb: Callback) {
      published.push(topic);
      if (!opts.qos) queueMicrotask(() => cb());
      else outgoing[nextId++] = { volatile: false, cmd: 'publish', cb };
      return client;
    },
    removeOutgoingMessage(id: number) {
      const entry = outgoing[id];
      if (!entry) return client;
      delete outgoing[id];
      entry.cb(new Error('Message removed'));
      return client;
    },
  };
  const answer = (topic: string, err?: Error) => {
    const i = published.indexOf(topic) + 1;
    const entry = outgoing[i];
    delete outgoing[i];
    entry?.cb(err);
  };
  return { client: client as unknown as MqttClient, outgoing, published, answer };
}

describe('publishOnce', () => {
  it('resolves on the acknowledgement and fails a refusal as not retryable', async () => {
    const { client, answer } = fakeClient();
    const ok = publishOnce(client, 'a', 'x', { qos: 1 }, 1000);
    const refused = publishOnce(client, 'b', 'x', { qos: 1 }, 1000);
    answer('a');
    answer('b', Object.assign(new Error('Not authorized'), { code: 0x87 }));
    await expect(ok).resolves.toBeUndefined();
    await expect(refused).rejects.toBeInstanceOf(PublishRefused);
    await expect(publishOnce(client, 'c', 'x', { qos: 0 }, 1000)).resolves.toBeUndefined();
  });

  it('fails an attempt without acknowledgement at its timeout and removes it from the resend store', async () => {
    const { client, outgoing, answer } = fakeClient();
    const started = performance.now();
    const late = publishOnce(client, 'late', 'x', { qos: 1 }, 150);
    const early = publishOnce(client, 'early', 'x', { qos: 1 }, 150);
    const other = publishOnce(client, 'other', 'x', { qos: 1 }, 400);
    answer('early');
    await expect(early).resolves.toBeUndefined();
    await expect(late).rejects.toThrow('no acknowledgement from the MQTT broker within 150 ms');
    expect(performance.now() - started).toBeGreaterThanOrEqual(145);
    expect(Object.keys(outgoing)).toEqual(['3']); // only "other" is still waiting
    await expect(other).rejects.toThrow('within 400 ms');
    expect(performance.now() - started).toBeGreaterThanOrEqual(395);
    expect(Object.keys(outgoing)).toEqual([]);
  });

  it("keeps unacknowledged publishes within the broker's receive maximum; a timeout frees the slot", async () => {
    const { client, published, answer } = fakeClient(1);
    const first = publishOnce(client, 'first', 'x', { qos: 1 }, 100);
    const second = publishOnce(client, 'second', 'x', { qos: 1 }, 1000);
    const third = publishOnce(client, 'third', 'x', { qos: 1 }, 1000);
    await new Promise((r) => setTimeout(r, 20));
    expect(published).toEqual(['first']);
    await expect(first).rejects.toThrow('within 100 ms');
    await new Promise((r) => setTimeout(r, 0));
    expect(published).toEqual(['first', 'second']);
    answer('second');
    await expect(second).resolves.toBeUndefined();
    await new Promise((r) => setTimeout(r, 0));
    answer('third');
    await expect(third).resolves.toBeUndefined();
  });

  it('fails at once while the broker is away', async () => {
    const { client } = fakeClient();
    (client as unknown as { connected: boolean }).connected = false;
    await expect(publishOnce(client, 'a', 'x', { qos: 1 }, 1000)).rejects.toThrow('not connected');
  });
});
