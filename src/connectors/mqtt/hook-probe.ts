/**
 * Start-up check that mqtt.js still behaves the way the PUBACK gate relies on. It runs a real MqttClient over an
 * in-memory stream (no broker): CONNACK, then a QoS 1 and a QoS 2 PUBLISH, and checks that
 *   1. the arrival hook (`customHandleAcks`) sees both before anything is acknowledged, and
 *   2. no PUBACK/PUBREC reaches the wire until the gate releases them, then both do, in arrival order, and
 *   3. whether mqtt.js calls `handleMessage` for the QoS 1 message from inside the hook's `done` (the subscriber
 *      then recognises it there without remembering every packet).
 * If (2) fails the subscriber holds mqtt.js's callback instead (slow, safe); if (1) fails, QoS 2 cannot be made
 * safe and a QoS 2 subscriber refuses to start. Never falls back to acknowledging on receipt.
 */
import './quiet-debug.js'; // before mqtt: see quiet-debug.ts
import { createRequire } from 'node:module';
import { Duplex } from 'node:stream';
import { MqttClient } from 'mqtt';
import { AckGate, type GateEntry } from './ack-gate.js';
import { isAckPacket, type OutPacket, setAckHook } from './internals.js';

export interface ProbeResult {
  /** Acks are withheld until released: the fast gate can be used. */
  gate: boolean;
  /** QoS 1/2 messages reach the arrival hook before mqtt.js acknowledges them. */
  arrivalHook: boolean;
  /** mqtt.js calls `handleMessage` for a QoS 1 message synchronously inside the arrival hook's `done`. */
  handleInDone: boolean;
  /** Why the gate cannot be used, when it cannot. */
  reason?: string;
  version: string;
}

const CONNACK = [0x20, 0x02, 0x00, 0x00];
/** PUBLISH topic "p", payload "x": QoS 1 id 1 and QoS 2 id 2. */
const PUBLISH_QOS1 = [0x32, 0x06, 0x00, 0x01, 0x70, 0x00, 0x01, 0x78];
const PUBLISH_QOS2 = [0x34, 0x06, 0x00, 0x01, 0x70, 0x00, 0x02, 0x78];

let result: Promise<ProbeResult> | undefined;

export function mqttVersion(): string {
  return (createRequire(import.meta.url)('mqtt/package.json') as { version: string }).version;
}

/** Cached per process. */
export function probeAckHook(): Promise<ProbeResult> {
  result ??= runProbe();
  return result;
}

async function settle(condition: () => boolean, turns = 200): Promise<void> {
  // mqtt.js handles packets on process.nextTick; a few event-loop turns are plenty.
  for (let i = 0; i < turns && !condition(); i++) await new Promise((r) => setImmediate(r));
}

async function runProbe(): Promise<ProbeResult> {
  const version = mqttVersion();
  const stream = new Duplex({
    read() {},
    write(_chunk, _encoding, cb) {
      cb();
    },
  });
  const client = new MqttClient(() => stream, {
    manualConnect: true,
    reconnectPeriod: 0,
    protocolVersion: 4,
    clientId: 'sluice-hook-probe',
    keepalive: 0,
    clean: true,
    writeCache: false, // as every Sluice client (settings.ts): the probe runs first, before the cache is built
  });
  client.on('error', () => undefined);
  const sent: OutPacket[] = [];
  client.on('packetsend', (p: OutPacket) => {
    if (isAckPacket(p)) sent.push(p);
  });
  const gate = new AckGate(client, {
    onUngated: () => undefined,
    onBlocked: () => undefined,
    onReleased: () => undefined,
  });
  const installed = gate.install();
  const entries: GateEntry[] = [];
  const arrived: number[] = [];
  let inDone = false;
  let handleInDone = false;
  setAckHook(client, (_topic, _payload, packet, done) => {
    arrived.push(packet.messageId ?? 0);
    if (installed) entries.push(gate.track(packet.messageId ?? 0));
    inDone = true;
    try {
      done(null, 0);
    } finally {
      inDone = false;
    }
  });
  client.handleMessage = (packet, cb) => {
    if (packet.qos === 1 && inDone) handleInDone = true;
    cb();
  };
  try {
    client.connect();
    stream.push(Buffer.from(CONNACK));
    await settle(() => client.connected);
    stream.push(Buffer.from([...PUBLISH_QOS1, ...PUBLISH_QOS2]));
    await settle(() => arrived.length === 2);
    await settle(() => false, 10); // let mqtt.js finish building (and maybe sending) its acks
    const arrivalHook = arrived.join() === '1,2';
    const base = { arrivalHook, handleInDone, version };
    if (!installed) return { ...base, gate: false, reason: 'mqtt.js has no _sendPacket to gate acknowledgements with' };
    if (!arrivalHook) return { ...base, gate: false, reason: 'mqtt.js no longer calls customHandleAcks on arrival' };
    if (sent.length > 0)
      return { ...base, gate: false, reason: 'mqtt.js sent an acknowledgement the gate did not hold' };
    for (const e of entries) gate.ok(e);
    const order = sent.map((p) => `${p.cmd}:${p.messageId}`).join();
    if (order !== 'puback:1,pubrec:2' || gate.stats.ungated > 0) {
      return { ...base, gate: false, reason: `released acknowledgements came out as [${order}]` };
    }
    return { ...base, gate: true };
  } finally {
    client.end(true);
    stream.destroy();
  }
}
