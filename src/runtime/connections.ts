/** Shared connection clients: opened once per flow connection on first use, closed after the nodes stop. */
import type { FlowDocument } from '../flow/document.js';
import { finishedWithin } from '../kit/bounded.js';
import { reasonOf } from '../kit/reason.js';
import type { Catalog } from '../spec/node-definition.js';
import type { ConnectionRuntime } from '../spec/runtime-contract.js';
import type { SluiceLogger } from './log.js';
import { applyDefaults, type ResolveEnv, resolveReferences } from './resolve-config.js';

interface Open {
  runtime: ConnectionRuntime<unknown, unknown>;
  client: Promise<unknown>;
  users: Set<string>;
}

export class ConnectionPool {
  private open = new Map<string, Open>();

  constructor(
    private readonly flow: FlowDocument,
    private readonly catalog: Catalog,
    private readonly resolve: ResolveEnv,
    private readonly log: SluiceLogger,
    private readonly load: (kind: string) => Promise<ConnectionRuntime<unknown, unknown>>,
  ) {}

  /** The resolved config of a connection (defaults applied, references resolved). */
  config(id: string): { kind: string; config: Record<string, unknown> } {
    const spec = (this.flow.connections ?? []).find((c) => c.id === id);
    if (!spec)
      throw new Error(
        `connection "${id}" does not exist in this flow; add it to the flow's connections, or pick one of its connections in the node's settings`,
      );
    const kind = this.catalog.connections.find((k) => k.kind === spec.kind);
    if (!kind) {
      const known = this.catalog.connections.map((k) => k.kind).join(', ');
      throw new Error(`connection "${id}" has unknown kind "${spec.kind}"; use one of: ${known}`);
    }
    const config = resolveReferences(
      applyDefaults(kind.config, spec.config),
      `connection "${id}" (${spec.kind})`,
      this.resolve,
    );
    return { kind: spec.kind, config };
  }

  acquire<T>(id: string, nodeId: string): Promise<T> {
    let entry = this.open.get(id);
    if (!entry) {
      const { kind, config } = this.config(id);
      const log = this.log.child({ connection: id, kind });
      const runtimeP = this.load(kind);
      const client = runtimeP.then((rt) => rt.open(config, { log, connectionId: id }));
      entry = { runtime: undefined as unknown as ConnectionRuntime<unknown, unknown>, client, users: new Set() };
      const e = entry;
      void runtimeP.then(
        (rt) => {
          e.runtime = rt;
        },
        () => undefined,
      );
      this.open.set(id, entry);
    }
    entry.users.add(nodeId);
    return entry.client as Promise<T>;
  }

  /** Closes every open client, each given at most `timeoutMs`; returns the ids of those that did not close in time. */
  async closeAll(timeoutMs: number): Promise<string[]> {
    const entries = [...this.open.entries()];
    this.open.clear();
    const late: string[] = [];
    await Promise.all(
      entries.map(async ([id, e]) => {
        const closing = (async () => {
          try {
            const client = await e.client;
            await e.runtime?.close(client);
          } catch (err) {
            this.log.warn({ connection: id, err: reasonOf(err) }, 'closing a connection failed');
          }
        })();
        if (await finishedWithin(closing, timeoutMs)) return;
        late.push(id);
        this.log.warn({ connection: id, timeoutMs }, 'connection did not close in time: going on without it');
      }),
    );
    return late;
  }
}
