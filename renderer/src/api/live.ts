/** The server's push channel (/api/ws): node status, counters, debug messages, deploy/stop. Reconnects by itself. */
import { noteDropped, pushDebug, pushFailure } from '../state/debug-store.js';
import { useRuntime } from '../state/runtime-store.js';
import { pushTap } from '../state/taps.js';
import { authToken } from './auth.js';
import { api } from './client.js';
import { flowDeletedElsewhere, flowSavedElsewhere } from './remote-changes.js';
import type { LiveEvent } from './types.js';

function socketUrl(): string {
  const url = new URL('api/ws', window.location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.hash = '';
  const t = authToken();
  if (t) url.searchParams.set('token', t);
  return url.toString();
}

function handle(ev: LiveEvent): void {
  const rt = useRuntime.getState();
  switch (ev.type) {
    case 'status':
      rt.status(
        ev.flowId,
        ev.nodeId,
        ev.reason === undefined ? { state: ev.state } : { state: ev.state, reason: ev.reason },
      );
      break;
    case 'counters':
      rt.setCounters(ev.flowId, ev.counters, ev.lastFailures);
      break;
    case 'failure':
      pushFailure(ev.flowId, ev.entry);
      break;
    case 'tap':
      pushTap(ev.flowId, ev.entry);
      break;
    case 'debug':
      pushDebug({ ...ev.entry, flowId: ev.flowId });
      break;
    case 'debug-dropped':
      noteDropped(ev.count);
      break;
    case 'flow-state':
      rt.flowState(ev.flowId, ev.state, ev.revision, ev.error);
      break;
    case 'deployed':
    case 'stopped':
      // flow-state says the same, with every step in between.
      break;
    case 'flow-saved':
      flowSavedElsewhere(ev.id, ev.revision);
      break;
    case 'flow-deleted':
      flowDeletedElsewhere(ev.id);
      break;
  }
}

export function connectLive(): () => void {
  let ws: WebSocket | undefined;
  let retry = 500;
  let closed = false;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const open = () => {
    useRuntime.getState().setLink('connecting');
    ws = new WebSocket(socketUrl());
    ws.onopen = () => {
      retry = 500;
      useRuntime.getState().setLink('open');
      // Whatever happened while disconnected: start from the runtime's current state.
      api.runtime().then(
        (info) => useRuntime.getState().reset(info),
        () => undefined,
      );
    };
    ws.onmessage = (m) => {
      try {
        handle(JSON.parse(String(m.data)) as LiveEvent);
      } catch {
        // A malformed push is ignored; the next one is independent.
      }
    };
    ws.onclose = () => {
      useRuntime.getState().setLink('closed');
      if (closed) return;
      timer = setTimeout(open, retry);
      retry = Math.min(retry * 2, 5000);
    };
  };
  open();
  return () => {
    closed = true;
    if (timer) clearTimeout(timer);
    ws?.close();
  };
}
