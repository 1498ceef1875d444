/**
 * Try-it stand-ins: sources and sinks are replaced by recorders so a trial never reads from or writes to a real
 * service; an extra inject node feeds the sample message into a node that is not a source.
 */
import { cloneMessage, type Message } from '../spec/message.js';
import { type Catalog, defineNode, type NodeDefinition } from '../spec/node-definition.js';
import type { CreateRuntime, NodeContext } from '../spec/runtime-contract.js';
import { Type } from '../spec/schema.js';
import type { TryStep } from './protocol.js';

export const INJECT_TYPE = 'sluice-try-inject';

const inject = defineNode({
  type: INJECT_TYPE,
  version: 1,
  category: 'source',
  title: 'Try-it input',
  summary: 'Feeds the sample message of a trial.',
  docs: 'Internal to the try-it endpoint.',
  inputs: [],
  outputs: [{ name: 'out' }],
  config: Type.Object({}),
});

const tryCatalogs = new WeakMap<Catalog, Catalog>();

/** The catalog plus the inject node; one per base catalog, so the validator cache keeps working. */
export function tryCatalog(base: Catalog): Catalog {
  let c = tryCatalogs.get(base);
  if (!c) {
    c = { nodes: [...base.nodes, inject], connections: base.connections };
    tryCatalogs.set(base, c);
  }
  return c;
}

/** Replaced in a trial: anything that talks to the outside. Debug nodes run for real (they only keep messages). */
export function needsStandIn(def: NodeDefinition): boolean {
  if (def.type === 'debug') return false;
  return def.category === 'source' || def.category === 'sink' || def.inputs.length === 0;
}

/** One trial's recorders: source contexts to ingest through, and what stand-in sinks received. */
export class StandIns {
  readonly sources = new Map<string, NodeContext<unknown>>();
  readonly delivered: TryStep[] = [];

  readonly source: CreateRuntime<unknown> = (ctx) => {
    this.sources.set(ctx.nodeId, ctx);
    return {};
  };

  readonly sink: CreateRuntime<unknown> = (ctx) => ({
    handle: (msg: Message, _out, port: string) => {
      this.delivered.push({ nodeId: ctx.nodeId, port, message: cloneMessage(msg) });
    },
  });
}
