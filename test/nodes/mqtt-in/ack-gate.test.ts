/**
 * The PUBACK gate (src/connectors/mqtt/ack-gate.ts) on a stand-in client that records what would reach the socket:
 * acks leave in arrival order as messages settle, a reused packet id, a failed head, a dropped connection, and a
 * long run of ids that wraps around.
 */
import type { MqttClient } from 'mqtt';
import { describe, expect, it } from 'vitest';
import { AckGate, type GateEntry } from '../../../src/connectors/mqtt/ack-gate.js';
import type { OutPacket } from '../../../src/connectors/mqtt/internals.js';

function gateOnFakeClient(window?: number) {
  const sent: number[] = [];
  const events = { blocked: 0, released: 0, ungated: 0 };
  const client = {
    connected: true,
    stream: { cork() {}, uncork() {}, write() {} },
    on() {
      return client;
    },
    _sendPacket(packet: OutPacket) {
      sent.push(packet.messageId ?? -1);
    },
  };
  const gate = new AckGate(
    client as unknown as MqttClient,
    {
      onUngated: () => events.ungated++,
      onBlocked: () => events.blocked++,
      onReleased: (n) => {
        events.released += n;
      },
    },
    window,
  );
  expect(gate.install()).toBe(true);
  // mqtt.js hands each ack it builds to _sendPacket, which the gate now wraps.
  const wrapped = (client as unknown as { _sendPacket(p: OutPacket, cb?: () => void): void })._sendPacket;
  /** A PUBLISH arrives: tracked, then mqtt.js builds its PUBACK (the gate holds it). */
  const arrive = (id: number): GateEntry => {
    const entry = gate.track(id);
    wrapped.call(client, { cmd: 'puback', messageId: id }, () => undefined);
    return entry;
  };
  return { gate, sent, events, arrive, wrapped, client };
}

describe('AckGate', () => {
  it('releases acks in arrival order, each once its message and all before it settled', () => {
    const { gate, sent, arrive } = gateOnFakeClient();
    const [a, b, c] = [1, 2, 3].map(arrive);
    gate.ok(c);
    gate.ok(b);
    expect(sent).toEqual([]);
    expect(gate.held).toBe(3);
    gate.ok(a);
    expect(sent).toEqual([1, 2, 3]);
    expect(gate.held).toBe(0);
  });

  it('skips the older entry of a packet id the broker reused while it was held', () => {
    const { gate, sent, arrive } = gateOnFakeClient();
    const first = gate.track(7); // its ack never came: the id is reused
    const again = arrive(7);
    const next = arrive(8);
    gate.ok(again);
    gate.ok(next);
    expect(sent).toEqual([7, 8]);
    gate.ok(first); // late: nothing more goes out
    expect(sent).toEqual([7, 8]);
    expect(gate.held).toBe(0);
  });

  it('a nacked message keeps its ack held (and every later one) until a retry of it succeeds', () => {
    const { gate, sent, arrive } = gateOnFakeClient();
    const [a, b, c] = [1, 2, 3].map(arrive);
    gate.ok(a);
    gate.ok(c); // b was nacked: it is retried, its entry stays pending
    expect(sent).toEqual([1]);
    expect(gate.holds(b)).toBe(true);
    gate.ok(b); // the retry went through
    expect(sent).toEqual([1, 2, 3]);
    expect(gate.holds(b)).toBe(false);
    const old = arrive(4);
    gate.dropAll(); // the connection closed: the broker redelivers it, nothing to retry here
    expect(gate.holds(old)).toBe(false);
  });

  it('stops at a failed message: what came before goes out, nothing after it', () => {
    const { gate, sent, events, arrive } = gateOnFakeClient();
    const [a, b, c] = [1, 2, 3].map(arrive);
    gate.ok(a);
    gate.ok(c);
    expect(gate.fail(b)).toBe(true);
    expect(sent).toEqual([1]);
    expect(events.blocked).toBe(1);
    expect(gate.held).toBe(2);
  });

  it('after the connection dropped: holds nothing, ignores late settles, never sends an ack of the old connection', () => {
    const { gate, sent, arrive, wrapped, client } = gateOnFakeClient();
    const old = arrive(1);
    gate.dropAll();
    expect(gate.held).toBe(0);
    gate.ok(old);
    expect(gate.fail(old)).toBe(false);
    wrapped.call(client, { cmd: 'puback', messageId: 1 }, () => undefined); // a stale ack for id 1
    expect(sent).toEqual([]);
    expect(gate.stats.stale).toBe(1);
    const fresh = arrive(1);
    gate.ok(fresh);
    expect(sent).toEqual([1]);
  });

  it.each([
    ['sized for the window', undefined],
    ['far more held than the window it was sized for (ids share table slots)', 4],
  ])('keeps the order over a long run of ids that wraps around 65535, settled in batches: %s', (_, window) => {
    const { gate, sent, events, arrive } = gateOnFakeClient(window);
    const ids: number[] = [];
    let id = 65_000;
    let held: GateEntry[] = [];
    for (let i = 0; i < 5_000; i++) {
      id = id === 65_535 ? 1 : id + 1;
      ids.push(id);
      held.push(arrive(id));
      if (held.length === 1_500) {
        // A sink batch settles back to front: nothing leaves until the oldest settled.
        for (const e of held.slice().reverse()) gate.ok(e);
        held = [];
      }
    }
    for (const e of held) gate.ok(e);
    expect(sent).toEqual(ids);
    expect(events.released).toBe(5_000);
    expect(gate.held).toBe(0);
  });
});
