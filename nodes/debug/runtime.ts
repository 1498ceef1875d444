import type { Message, Static, WireHeaders } from '../../src/spec/index.js';
import type { CreateRuntime } from '../../src/spec/runtime-contract.js';
import type { debug } from './definition.js';

type Config = Static<typeof debug.config>;

export interface DebugEntry {
  seq: number;
  time: number;
  nodeId: string;
  id: string;
  topic?: string;
  key?: string;
  headers: Record<string, string>;
  /** The headers as received (see Message.wire), when the source had any. */
  wire?: WireHeaders;
  payload: unknown;
  /** True when the payload was cut to maxPayloadBytes (then `payload` is the cut JSON text). */
  truncated: boolean;
}

function shown(payload: unknown, max: number): { payload: unknown; truncated: boolean } {
  if (payload instanceof Uint8Array) {
    const hex = Buffer.from(payload.subarray(0, Math.floor(max / 2))).toString('hex');
    return { payload: { bytes: payload.length, hex }, truncated: payload.length * 2 > max };
  }
  if (typeof payload === 'string') {
    return payload.length > max ? { payload: payload.slice(0, max), truncated: true } : { payload, truncated: false };
  }
  const text = JSON.stringify(payload) ?? 'null';
  return text.length > max ? { payload: text.slice(0, max), truncated: true } : { payload, truncated: false };
}

export const create: CreateRuntime<Config> = (ctx) => {
  const { keep, capture, log, maxPayloadBytes } = ctx.config;
  let active = ctx.config.active;
  // Ring buffer: memory stays bounded whatever the message rate.
  const ring: Array<DebugEntry | undefined> = new Array(keep);
  let seq = 0;

  function record(msg: Message): DebugEntry {
    const { payload, truncated } = shown(msg.payload, maxPayloadBytes);
    const entry: DebugEntry =
      capture === 'payload'
        ? { seq: ++seq, time: Date.now(), nodeId: ctx.nodeId, id: msg.id, headers: {}, payload, truncated }
        : {
            seq: ++seq,
            time: Date.now(),
            nodeId: ctx.nodeId,
            id: msg.id,
            topic: msg.topic,
            key: msg.key,
            headers: msg.headers,
            ...(msg.wire ? { wire: msg.wire } : {}),
            payload,
            truncated,
          };
    ring[(seq - 1) % keep] = entry;
    return entry;
  }

  /** Off is said on the node (its status), so a quiet debug panel is not mistaken for a quiet flow. */
  function showState(): void {
    ctx.status(active ? { state: 'running' } : { state: 'idle', reason: 'off (not shown in the debug panel)' });
  }

  return {
    start: showState,
    setActive(on) {
      active = on;
      showState();
    },
    handle(msg) {
      // Off: the message is still taken (delivered, so its source acknowledges it), just not kept or shown.
      if (!active) return;
      const entry = record(msg);
      ctx.publish('debug', entry);
      if (log) ctx.log.info({ topic: entry.topic, payload: entry.payload }, 'debug');
    },
    snapshot() {
      const out: DebugEntry[] = [];
      for (let i = Math.max(0, seq - keep); i < seq; i++) out.push(ring[i % keep]!);
      return { count: seq, active, messages: out };
    },
  };
};
