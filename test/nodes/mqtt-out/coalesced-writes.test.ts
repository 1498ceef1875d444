/**
 * Packets written in one event-loop turn leave in one socket write (src/connectors/coalesce-writes.ts): the
 * publisher's PUBLISH packets against the real Mosquitto, and the ack gate's PUBACKs released one settle at a time.
 */
import type { MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { type Corkable, coalesceWrites } from '../../../src/connectors/coalesce-writes.js';
import { AckGate } from '../../../src/connectors/mqtt/ack-gate.js';
import type { OutPacket } from '../../../src/connectors/mqtt/internals.js';
import { requireService } from '../../support/services.js';
import { connectPlain, publishOnce, uniqueBase } from '../mqtt-support/mqtt.js';

const run = await requireService('mosquitto');
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A stream that records what happened, in order. */
function recordingStream() {
  const events: string[] = [];
  let corks = 0;
  const stream = {
    cork() {
      corks++;
      events.push('cork');
    },
    uncork() {
      corks--;
      events.push('uncork');
    },
    write(what: string) {
      events.push(corks > 0 ? `held ${what}` : `sent ${what}`);
    },
  };
  return { stream, events };
}

describe('coalesceWrites', () => {
  it('corks once per turn and uncorks when the turn ends', async () => {
    const { stream, events } = recordingStream();
    coalesceWrites(stream);
    stream.write('a');
    await Promise.resolve(); // a later tick of the same turn
    coalesceWrites(stream);
    stream.write('b');
    expect(events).toEqual(['cork', 'held a', 'held b']);
    await nextTurn();
    expect(events).toEqual(['cork', 'held a', 'held b', 'uncork']);
    coalesceWrites(stream);
    stream.write('c');
    await nextTurn();
    expect(events.slice(4)).toEqual(['cork', 'held c', 'uncork']);
  });

  it('holds each stream on its own', async () => {
    const one = recordingStream();
    const two = recordingStream();
    coalesceWrites(one.stream);
    coalesceWrites(two.stream);
    coalesceWrites(one.stream);
    await nextTurn();
    expect(one.events).toEqual(['cork', 'uncork']);
    expect(two.events).toEqual(['cork', 'uncork']);
  });
});

describe('the ack gate', () => {
  it('sends the acks of messages settled one at a time within a turn in one write', async () => {
    const { stream, events } = recordingStream();
    const client = {
      connected: true,
      stream,
      on() {
        return client;
      },
      _sendPacket(packet: OutPacket) {
        stream.write(`${packet.cmd} ${packet.messageId}`);
      },
    };
    const gate = new AckGate(client as unknown as MqttClient, {
      onUngated: () => undefined,
      onBlocked: () => undefined,
      onReleased: () => undefined,
    });
    expect(gate.install()).toBe(true);
    const entries = [1, 2, 3].map((id) => gate.track(id));
    const send = (client as unknown as { _sendPacket(p: OutPacket, cb?: () => void): void })._sendPacket;
    for (const id of [1, 2, 3]) send.call(client, { cmd: 'puback', messageId: id }, () => undefined);
    expect(events).toEqual([]); // held until settled
    for (const entry of entries) {
      gate.ok(entry);
      await Promise.resolve(); // each settle in a tick of its own, as sinks acknowledge
    }
    expect(events).toEqual(['cork', 'held puback 1', 'held puback 2', 'held puback 3']);
    await nextTurn();
    expect(events.at(-1)).toBe('uncork');
  });
});

describe.runIf(run)('the publisher against Mosquitto', () => {
  let opened: MqttClient | undefined;
  afterEach(async () => {
    await opened?.endAsync();
    opened = undefined;
  });

  it("sends a turn's publishes in one socket write, and every one is acknowledged", async () => {
    const client = await connectPlain();
    opened = client;
    const receiveMaximum = client.serverProperties?.receiveMaximum ?? 65535;
    const count = Math.min(20, receiveMaximum);
    // Count the socket's calls into the system: Writable calls _write for one chunk and _writev for several.
    const socket = client.stream as unknown as Corkable & {
      _write: (...args: unknown[]) => void;
      _writev: (...args: unknown[]) => void;
    };
    let writes = 0;
    for (const method of ['_write', '_writev'] as const) {
      const original = socket[method].bind(socket);
      socket[method] = (...args: unknown[]) => {
        writes++;
        original(...args);
      };
    }
    await nextTurn();
    const base = uniqueBase('coalesce');
    const sent: Promise<void>[] = [];
    for (let i = 0; i < count; i++) {
      sent.push(publishOnce(client, `${base}/${i}`, `m${i}`, { qos: 1 }, 5000));
      // One publish per tick, as when mqtt.js hands over each incoming packet in a tick of its own.
      await new Promise<void>((resolve) => process.nextTick(resolve));
    }
    await Promise.all(sent);
    expect(writes).toBe(1);
  });
});
