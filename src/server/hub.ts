/**
 * The editors' live feed. Status and lifecycle messages go to every socket; counters at most every 250 ms and
 * only when they changed; debug entries through a per-socket token bucket (~200/s) that also stops when the
 * socket's send buffer backs up. What is not sent is counted and reported as `debug-dropped`, never queued,
 * so a slow editor or a fast flow cannot grow the server's memory.
 */
import type { WebSocket } from 'ws';
import type {
  FlowFailureEvent,
  FlowManager,
  FlowNodeEvent,
  FlowStatusEvent,
  FlowTapEvent,
} from '../runtime/flow-manager.js';
import type { SluiceLogger } from '../runtime/log.js';
import { failureEntry, tapEntry } from './failure-entry.js';
import type { DebugEntry, ServerMessage } from './protocol.js';

export interface HubOptions {
  /** Debug entries per second per socket, on average (burst: one second's worth). */
  debugRate?: number;
  tickMs?: number;
  /** Above this many buffered bytes a socket gets no debug entries. */
  slowBytes?: number;
  /** Above this many buffered bytes a socket is cut off: it is not reading at all. */
  deadBytes?: number;
}

interface Client {
  socket: WebSocket;
  tokens: number;
  refilledAt: number;
  dropped: number;
}

const OPEN = 1;

export class Hub {
  private readonly clients = new Set<Client>();
  private readonly timer: NodeJS.Timeout;
  /** Per flow: the counters last sent, to send only changes. */
  private readonly lastCounters = new Map<string, string>();
  private readonly rate: number;
  private readonly slowBytes: number;
  private readonly deadBytes: number;
  private readonly onStatus = (s: FlowStatusEvent) => {
    const { flowId, nodeId, state, reason } = s;
    this.broadcast(
      reason === undefined
        ? { type: 'status', flowId, nodeId, state }
        : { type: 'status', flowId, nodeId, state, reason },
    );
  };
  private readonly onEvent = (e: FlowNodeEvent) => {
    // Only the debug node publishes 'debug', with its DebugEntry (test/server/protocol-types.test.ts checks they match).
    if (e.event === 'debug') this.sample(() => ({ type: 'debug', flowId: e.flowId, entry: e.data as DebugEntry }));
  };
  private failureSeq = 0;
  /** A tapped wire's samples (already bounded per wire by the engine) share the debug entries' budget too. */
  private readonly onTap = (e: FlowTapEvent) => {
    if (this.clients.size === 0) return;
    this.sample(() => ({ type: 'tap', flowId: e.flowId, entry: tapEntry(e, ++this.failureSeq) }));
  };
  /** Failed messages share the debug entries' budget: a failure flood is sampled, counted, never queued. */
  private readonly onFailure = (e: FlowFailureEvent) => {
    if (this.clients.size === 0) return;
    this.sample(() => ({ type: 'failure', flowId: e.flowId, entry: failureEntry(e, ++this.failureSeq) }));
  };

  constructor(
    private readonly manager: FlowManager,
    private readonly log: SluiceLogger,
    options: HubOptions = {},
  ) {
    this.rate = options.debugRate ?? 200;
    this.slowBytes = options.slowBytes ?? 1 << 20;
    this.deadBytes = options.deadBytes ?? 8 << 20;
    manager.on('status', this.onStatus);
    manager.on('event', this.onEvent);
    manager.on('failure', this.onFailure);
    manager.on('tap', this.onTap);
    this.timer = setInterval(() => this.tick(), options.tickMs ?? 250);
    this.timer.unref();
  }

  get size(): number {
    return this.clients.size;
  }

  add(socket: WebSocket): void {
    const client: Client = { socket, tokens: this.rate, refilledAt: Date.now(), dropped: 0 };
    this.clients.add(client);
    socket.on('close', () => this.clients.delete(client));
    socket.on('error', () => this.clients.delete(client));
    // The feed is one-way; anything the editor sends is ignored (the API is HTTP).
    socket.on('message', () => undefined);
    // A new editor starts from the current state instead of waiting for the next change.
    for (const f of this.manager.flows()) {
      const { id: flowId, state, revision, error } = f;
      this.send(client, JSON.stringify({ type: 'flow-state', flowId, state, revision, ...(error ? { error } : {}) }));
      for (const [nodeId, s] of Object.entries(f.engine.statuses()))
        this.send(client, JSON.stringify({ type: 'status', flowId, nodeId, ...s }));
      this.send(
        client,
        JSON.stringify({
          type: 'counters',
          flowId,
          counters: f.engine.counters(),
          lastFailures: f.engine.lastFailures(),
        } satisfies ServerMessage),
      );
    }
  }

  broadcast(msg: ServerMessage): void {
    if (this.clients.size === 0) return;
    const text = JSON.stringify(msg);
    for (const c of this.clients) this.send(c, text);
  }

  close(): void {
    clearInterval(this.timer);
    this.manager.off('status', this.onStatus);
    this.manager.off('event', this.onEvent);
    this.manager.off('failure', this.onFailure);
    this.manager.off('tap', this.onTap);
    for (const c of this.clients) c.socket.close(1001, 'server shutting down');
    this.clients.clear();
  }

  private send(c: Client, text: string): void {
    if (c.socket.readyState !== OPEN) return;
    if (c.socket.bufferedAmount > this.deadBytes) {
      this.log.warn({ buffered: c.socket.bufferedAmount }, 'editor socket is not reading: closing it');
      this.clients.delete(c);
      c.socket.terminate();
      return;
    }
    c.socket.send(text);
  }

  /** One debug or failure entry to every socket that has budget for it; `make` runs only if one does. */
  private sample(make: () => ServerMessage): void {
    if (this.clients.size === 0) return;
    const now = Date.now();
    let text: string | undefined;
    for (const c of this.clients) {
      c.tokens = Math.min(this.rate, c.tokens + ((now - c.refilledAt) * this.rate) / 1000);
      c.refilledAt = now;
      if (c.tokens < 1 || c.socket.bufferedAmount > this.slowBytes) {
        c.dropped++;
        continue;
      }
      c.tokens--;
      // Serialised once, and only when some socket takes it: a flood costs a counter increment per entry.
      text ??= JSON.stringify(make());
      this.send(c, text);
    }
  }

  private tick(): void {
    if (this.clients.size === 0) return;
    for (const c of this.clients) {
      if (c.dropped > 0) {
        this.send(c, JSON.stringify({ type: 'debug-dropped', count: c.dropped } satisfies ServerMessage));
        c.dropped = 0;
      }
    }
    // Each flow's counters, only when they changed; a flow that stopped sends its final ones once.
    const known = new Set<string>();
    for (const f of this.manager.flows()) {
      known.add(f.id);
      const counters = f.engine.counters();
      const lastFailures = f.engine.lastFailures();
      const text = JSON.stringify([counters, lastFailures]);
      if (text === this.lastCounters.get(f.id)) continue;
      this.lastCounters.set(f.id, text);
      this.broadcast({ type: 'counters', flowId: f.id, counters, lastFailures });
    }
    for (const id of this.lastCounters.keys()) if (!known.has(id)) this.lastCounters.delete(id);
  }
}
