/**
 * A failed message (or a tapped wire's sample) as the editors' debug panel shows it: where it failed, why, what became of it, and a preview of
 * the message cut to a bounded size (a failure flood must not copy megabytes per entry into the live feed).
 */
import type { FlowFailureEvent, FlowTapEvent } from '../runtime/flow-manager.js';
import type { FailureEntry, TapEntry } from './protocol.js';

/** The longest payload preview, in characters of JSON (or hex for bytes). */
export const FAILURE_PREVIEW_CHARS = 2_000;

export function preview(payload: unknown): { payload: unknown; truncated: boolean } {
  const max = FAILURE_PREVIEW_CHARS;
  if (payload instanceof Uint8Array) {
    const hex = Buffer.from(payload.subarray(0, Math.floor(max / 2))).toString('hex');
    return { payload: { bytes: payload.length, hex }, truncated: payload.length * 2 > max };
  }
  if (typeof payload === 'string') {
    return payload.length > max ? { payload: payload.slice(0, max), truncated: true } : { payload, truncated: false };
  }
  let text: string;
  try {
    text = JSON.stringify(payload) ?? 'null';
  } catch {
    return { payload: String(payload), truncated: false };
  }
  return text.length > max ? { payload: text.slice(0, max), truncated: true } : { payload, truncated: false };
}

export function failureEntry(e: FlowFailureEvent, seq: number): FailureEntry {
  const { payload, truncated } = preview(e.message.payload);
  return {
    seq,
    time: Date.now(),
    nodeId: e.nodeId,
    reason: e.reason,
    kind: e.kind,
    fate: e.fate,
    id: e.message.id,
    ...(e.message.topic === undefined ? {} : { topic: e.message.topic }),
    payload,
    truncated,
  };
}

export function tapEntry(e: FlowTapEvent, seq: number): TapEntry {
  const { payload, truncated } = preview(e.message.payload);
  const { 'sluice-tap-skipped': skipped, ...headers } = e.message.headers;
  return {
    seq,
    time: Date.now(),
    nodeId: e.nodeId,
    port: e.port,
    id: e.message.id,
    ...(e.message.topic === undefined ? {} : { topic: e.message.topic }),
    headers,
    payload,
    truncated,
    skipped: Number(skipped ?? 0),
  };
}
