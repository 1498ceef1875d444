/** The editor's view of a flow: React Flow nodes and edges whose data is the flow document's content. */
import type { Edge, Node } from '@xyflow/react';
import type { FlowConnection, FlowDocument, SubflowParameter } from '../../../src/flow/index.js';

export interface NodeData extends Record<string, unknown> {
  type: string;
  name?: string;
  config: Record<string, unknown>;
}

export type EditorNode = Node<NodeData, 'sluice'>;

export interface EdgeData extends Record<string, unknown> {
  /** The id written in the file, when the file had one (kept so that a round trip changes nothing). */
  fileId?: string;
}

export type EditorEdge = Edge<EdgeData>;

/** Everything in the document except nodes, edges and connections (format, id, name, settings, ...). */
export type DocMeta = Omit<FlowDocument, 'nodes' | 'edges' | 'connections'> & {
  /** Whether the file had a `connections` / `edges` array (kept so an empty one round-trips). */
  hasConnections?: boolean;
  hasEdges?: boolean;
  /** On a subflow's own canvas: which subflow, and its parameters (name and description are the meta's). */
  subflow?: { id: string; parameters?: Record<string, SubflowParameter> };
};

/** The undoable content of one open flow. */
export interface FlowContent {
  meta: DocMeta;
  nodes: EditorNode[];
  edges: EditorEdge[];
  connections: FlowConnection[];
}

export const NODE_TYPE = 'sluice';
