/**
 * Flow document <-> editor content. Lossless for everything the document holds, so that opening and exporting a
 * flow without edits gives the same file.
 */
import { edgeId, type FlowDocument, type FlowEdge, type FlowNode, type FlowSubflow } from '../../../src/flow/index.js';
import { declaredGeometry } from './node-geometry.js';
import { type DocMeta, type EditorEdge, type EditorNode, type FlowContent, NODE_TYPE } from './types.js';

const GRID_X = 240;
const GRID_Y = 130;

/** A node of an opened document: with its declared geometry, so that React Flow need not mount it to place it. */
export function toEditorNode(n: FlowNode, index: number, subflows?: readonly FlowSubflow[]): EditorNode {
  return {
    id: n.id,
    type: NODE_TYPE,
    ...declaredGeometry(n.type, n.config, subflows),
    // Nodes without a position get a simple grid until the user lays them out.
    position: n.position
      ? { x: n.position.x, y: n.position.y }
      : { x: (index % 6) * GRID_X, y: Math.floor(index / 6) * GRID_Y },
    data: n.name === undefined ? { type: n.type, config: n.config } : { type: n.type, name: n.name, config: n.config },
  };
}

export function toEditorEdge(e: FlowEdge): EditorEdge {
  return {
    id: edgeId(e),
    source: e.source,
    sourceHandle: e.sourcePort,
    target: e.target,
    targetHandle: e.targetPort,
    data: e.id === undefined ? {} : { fileId: e.id },
  };
}

export function fromDocument(doc: FlowDocument): FlowContent {
  const { nodes, edges, connections, ...rest } = doc;
  const meta: DocMeta = { ...rest, hasConnections: connections !== undefined, hasEdges: edges !== undefined };
  return {
    meta,
    nodes: (nodes ?? []).map((n, i) => toEditorNode(n, i, doc.subflows)),
    edges: (edges ?? []).map(toEditorEdge),
    connections: connections ?? [],
  };
}

export function toFlowNode(n: EditorNode): FlowNode {
  const out: FlowNode = { id: n.id, type: n.data.type, config: n.data.config };
  if (n.data.name !== undefined) out.name = n.data.name;
  out.position = { x: Math.round(n.position.x), y: Math.round(n.position.y) };
  return out;
}

export function toFlowEdge(e: EditorEdge): FlowEdge {
  const out: FlowEdge = {
    source: e.source,
    sourcePort: e.sourceHandle ?? 'out',
    target: e.target,
    targetPort: e.targetHandle ?? 'in',
  };
  if (e.data?.fileId !== undefined) out.id = e.data.fileId;
  return out;
}

export function toDocument(content: FlowContent): FlowDocument {
  const { hasConnections, hasEdges, ...meta } = content.meta;
  const doc: FlowDocument = { ...meta, nodes: content.nodes.map(toFlowNode) };
  if (content.connections.length > 0 || hasConnections) doc.connections = content.connections;
  if (content.edges.length > 0 || hasEdges !== false) doc.edges = content.edges.map(toFlowEdge);
  return doc;
}
