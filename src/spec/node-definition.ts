/**
 * What a node type is, as data. Shared by editor, validator, docs and runtime; never imports Node-only code.
 */
import type { Static, TSchema } from 'typebox';

export type NodeCategory = 'source' | 'transform' | 'rule' | 'sink' | 'utility';

export interface PortDef {
  name: string;
  label?: string;
  description?: string;
  /** An input port that must be connected for the flow to validate. */
  required?: boolean;
}

export interface LintIssue {
  /** JSON pointer inside the node's config, e.g. `/rules/1/port`. */
  path: string;
  message: string;
  hint?: string;
  severity?: 'error' | 'warning';
}

export interface NodeExample<C> {
  title: string;
  /** Fields left out take their schema defaults. */
  config: Partial<C>;
}

/** The implicit output every node has: failed messages go here when it is wired. */
export const ERROR_PORT = 'error';

export interface NodeDefinition<S extends TSchema = TSchema> {
  /** Kebab-case type id; also the folder name under `nodes/`. */
  type: string;
  version: number;
  category: NodeCategory;
  title: string;
  /** One line for the palette. */
  summary: string;
  /** Markdown reference text. */
  docs: string;
  inputs: PortDef[];
  /** Output ports; a function when they depend on config (a switch's rules). `error` is implicit. */
  outputs: PortDef[] | ((config: Static<S>) => PortDef[]);
  config: S;
  /** Cross-field rules that JSON Schema cannot say; gets the config with schema defaults filled in. Pure: the editor runs it too. */
  lint?: (config: Static<S>) => LintIssue[];
  examples?: NodeExample<Static<S>>[];
  /**
   * Stateful nodes (window, join): how many messages one group must hold at once before it can emit, when the config
   * fixes it (a count window). Held messages count against their source's in-flight bound, so validation refuses a
   * flow whose `settings.maxInFlight` is smaller (`path`: the config field to change; `what`: the group, in words).
   */
  holds?: (config: Static<S>) => { count: number; path: string; what: string } | undefined;
  /**
   * Sources whose own setting bounds the messages they leave unacknowledged (mqtt-in's window, amqp-in's prefetch):
   * a stateful node downstream can hold no more than that either (`path`: the config field).
   */
  unacknowledgedLimit?: (config: Static<S>) => { count: number; path: string };
  /** Editor color hint. */
  color?: string;
  /**
   * Config fields renamed since flows were saved with them: old name -> new name. The flow migration
   * (src/flow/migrate.ts) rewrites them on load, with a warning, so an old flow still loads, validates and runs, and is
   * saved with the new names.
   */
  renamed?: Readonly<Record<string, string>>;
}

/** A kind of shared connection (broker or database) that nodes reference by id. */
export interface ConnectionKindDefinition<S extends TSchema = TSchema> {
  kind: string;
  title: string;
  summary: string;
  docs: string;
  config: S;
  lint?: (config: Static<S>) => LintIssue[];
  examples?: NodeExample<Static<S>>[];
  /** Renamed config fields, old name -> new name: as NodeDefinition.renamed. */
  renamed?: Readonly<Record<string, string>>;
}

export type ConfigOf<D> = D extends NodeDefinition<infer S> ? Static<S> : never;

/** Identity with inference: `defineNode({...})` types `lint` and `outputs` from the schema. */
export function defineNode<S extends TSchema>(def: NodeDefinition<S>): NodeDefinition<S> {
  return def;
}

/**
 * A connection's settings say where and as whom to connect, which differ per deployment: every string in them may
 * be a `${env:}`/`${file:}` reference (`x-reference` on the whole config).
 */
export function defineConnectionKind<S extends TSchema>(def: ConnectionKindDefinition<S>): ConnectionKindDefinition<S> {
  return { ...def, config: { ...def.config, 'x-reference': true } };
}

/** Output ports for a given config, including the implicit error port. */
export function outputPorts(def: NodeDefinition, config: unknown): PortDef[] {
  const ports = typeof def.outputs === 'function' ? safeOutputs(def, config) : def.outputs;
  return [
    ...ports,
    { name: ERROR_PORT, label: 'error', description: 'Messages this node failed on, with the reason.' },
  ];
}

function safeOutputs(def: NodeDefinition, config: unknown): PortDef[] {
  try {
    return (def.outputs as (c: unknown) => PortDef[])(config);
  } catch {
    return [];
  }
}

export interface Catalog {
  nodes: readonly NodeDefinition[];
  connections: readonly ConnectionKindDefinition[];
}

export function findNodeType(catalog: Catalog, type: string): NodeDefinition | undefined {
  return catalog.nodes.find((n) => n.type === type);
}
