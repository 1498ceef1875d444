/**
 * Inject: push a message by hand into the running flow at a source node (POST /api/runtime/flows/:id/inject/:node),
 * with the last few payloads per node kept (in this browser) to send again; or press the button of an inject node,
 * which sends its own configured payload (POST /api/runtime/flows/:id/trigger/:node).
 */
import { create } from 'zustand';
import { request } from '../api/client.js';
import { useUi } from './ui-store.js';

export interface InjectReply {
  messageId: string;
  outcome: 'delivered' | 'failed';
  reason?: string;
}

export interface InjectInput {
  /** JSON text of the payload. */
  payload: string;
  topic?: string;
}

const KEEP = 5;
const STORAGE = 'sluice.inject.recent';
const DEFAULT_PAYLOAD = '{"hello": "world"}';

function load(): Record<string, InjectInput[]> {
  try {
    return JSON.parse(localStorage.getItem(STORAGE) ?? '{}') as Record<string, InjectInput[]>;
  } catch {
    return {};
  }
}

interface InjectState {
  /** Per `flow/node`, newest first. */
  recent: Record<string, InjectInput[]>;
  remember(key: string, input: InjectInput): void;
}

export const useInject = create<InjectState>()((set, get) => ({
  recent: load(),
  remember: (key, input) => {
    const list = [
      input,
      ...(get().recent[key] ?? []).filter((r) => r.payload !== input.payload || r.topic !== input.topic),
    ];
    const recent = { ...get().recent, [key]: list.slice(0, KEEP) };
    set({ recent });
    try {
      localStorage.setItem(STORAGE, JSON.stringify(recent));
    } catch {
      // storage full or off: the list lives until the page closes
    }
  },
}));

export const injectKey = (flowId: string, nodeId: string) => `${flowId}/${nodeId}`;

/** The payload the inject button sends: the node's most recent, else a small sample. */
export function lastInput(flowId: string, nodeId: string): InjectInput {
  return useInject.getState().recent[injectKey(flowId, nodeId)]?.[0] ?? { payload: DEFAULT_PAYLOAD };
}

/** Sends one message; says how it ended in a notice, and returns the reply (undefined when it was refused). */
export async function inject(flowId: string, nodeId: string, input: InjectInput): Promise<InjectReply | undefined> {
  const ui = useUi.getState();
  let payload: unknown;
  try {
    payload = JSON.parse(input.payload);
  } catch (e) {
    ui.notify('error', `Not injected: the payload is not JSON (${e instanceof Error ? e.message : String(e)})`);
    return undefined;
  }
  try {
    const r = await request<InjectReply>(
      'POST',
      `/api/runtime/flows/${encodeURIComponent(flowId)}/inject/${encodeURIComponent(nodeId)}`,
      {
        payload,
        ...(input.topic ? { topic: input.topic } : {}),
      },
    );
    useInject.getState().remember(injectKey(flowId, nodeId), input);
    if (r.outcome === 'delivered') ui.notify('success', `Injected into ${nodeId}: delivered`);
    else ui.notify('error', `Injected into ${nodeId}: failed: ${r.reason ?? 'no reason given'}`);
    return r;
  } catch (e) {
    ui.notify('error', `Not injected: ${e instanceof Error ? e.message : String(e)}`);
    return undefined;
  }
}

/** Presses the button of an inject node: it sends the payload it is configured with; the notice says how it ended. */
export async function trigger(flowId: string, nodeId: string): Promise<InjectReply | undefined> {
  const ui = useUi.getState();
  try {
    const r = await request<Omit<InjectReply, 'messageId'>>(
      'POST',
      `/api/runtime/flows/${encodeURIComponent(flowId)}/trigger/${encodeURIComponent(nodeId)}`,
    );
    if (r.outcome === 'delivered') ui.notify('success', `Injected from ${nodeId}: delivered`);
    else ui.notify('error', `Injected from ${nodeId}: failed: ${r.reason ?? 'no reason given'}`);
    return { messageId: '', ...r };
  } catch (e) {
    ui.notify('error', `Not injected: ${e instanceof Error ? e.message : String(e)}`);
    return undefined;
  }
}
