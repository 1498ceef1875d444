/**
 * The overview of a large flow: what the canvas draws as one picture instead of a thousand DOM nodes when the user has
 * zoomed out so far that no caption can be read (Chromium spends ~35 ms a pan frame painting ~1,750 positioned elements
 * there; one canvas draws the same boxes and wires in about a millisecond). Pure data: where each node, comment, group
 * frame and wire is in flow coordinates, with what the overview shows of its state, and which node a point hits.
 */
import { Position } from '@xyflow/react';
import type { FlowSubflow, Problem } from '../../../src/flow/index.js';
import type { NodeStatus } from '../../../src/spec/index.js';
import { FALLBACK_COLOR, nodeDefinition } from '../model/catalog.js';
import { handleTop, NODE_BORDER, NODE_WIDTH, nodeHeight } from '../model/node-geometry.js';
import { type CanvasNode, COMMENT_SIZE, type CommentNode, GROUP_COLORS, type GroupNode } from '../model/organise.js';
import { portsOf } from '../model/ports.js';
import { findSubflow, isPortNodeType, SUBFLOW_COLOR, subflowTitle } from '../model/subflows.js';
import type { EditorEdge, EditorNode } from '../model/types.js';

/** Below this zoom a large flow is drawn as an overview: a 12 px caption would be under 5 px on screen. */
export const OVERVIEW_MAX_ZOOM = 0.4;
/** Smaller flows stay in the DOM at any zoom: React Flow draws them fast enough and they stay editable. */
export const OVERVIEW_MIN_NODES = 200;

export function isOverview(zoom: number, flowNodes: number): boolean {
  return flowNodes >= OVERVIEW_MIN_NODES && zoom < OVERVIEW_MAX_ZOOM;
}

export type Health = 'ok' | 'warning' | 'error';

export interface SceneBox {
  id: string;
  kind: 'node' | 'comment' | 'group';
  x: number;
  y: number;
  width: number;
  height: number;
  /** The node's category colour, the group's colour; comments are drawn as notes. */
  color: string;
  caption: string;
  selected: boolean;
  /** The node has validation errors (red outline) or its runtime status is an error (red dot). */
  invalid: boolean;
  status: Health | undefined;
  /** A debug node turned off. */
  muted: boolean;
}

export interface Scene {
  /** Group frames first (drawn under the nodes), then comments and nodes in canvas order. */
  boxes: SceneBox[];
  /** Wires as [sourceX, sourceY, targetX, targetY] at the handles, flow coordinates. */
  wires: Float64Array;
  /** Only the nodes of the flow (not comments or frames), for hit tests and counts. */
  nodeCount: number;
}

export interface SceneInput {
  nodes: readonly CanvasNode[];
  edges: readonly EditorEdge[];
  subflows: readonly FlowSubflow[] | undefined;
  problemsByNode: Readonly<Record<string, readonly Problem[] | undefined>>;
  /** The running flow's node statuses, when it runs. */
  statuses: Readonly<Record<string, NodeStatus | undefined>> | undefined;
}

function health(state: string | undefined): Health | undefined {
  if (state === undefined) return undefined;
  if (state === 'error') return 'error';
  if (state === 'connecting' || state === 'disconnected') return 'warning';
  return 'ok';
}

function flowNodeBox(n: EditorNode, input: SceneInput): SceneBox {
  const type = n.data.type;
  const def = nodeDefinition(type);
  const subflow = findSubflow(input.subflows, type);
  const ports = portsOf(type, n.data.config, subflow ? [subflow] : undefined);
  const caption = n.data.name ?? (subflow ? subflowTitle(subflow) : (def?.title ?? type));
  const problems = input.problemsByNode[n.id];
  return {
    id: n.id,
    kind: 'node',
    x: n.position.x,
    y: n.position.y,
    width: n.measured?.width ?? NODE_WIDTH,
    height: n.measured?.height ?? nodeHeight(ports),
    color: subflow || isPortNodeType(type) ? SUBFLOW_COLOR : (def?.color ?? FALLBACK_COLOR),
    caption,
    selected: Boolean(n.selected),
    invalid: problems?.some((p) => p.severity === 'error') ?? false,
    status: health(input.statuses?.[n.id]?.state),
    muted: type === 'debug' && n.data.config.active === false,
  };
}

function organiseBox(n: CanvasNode): SceneBox {
  const width = n.measured?.width ?? n.width ?? COMMENT_SIZE.width;
  const height = n.measured?.height ?? n.height ?? COMMENT_SIZE.height;
  const base = { id: n.id, x: n.position.x, y: n.position.y, width, height, selected: Boolean(n.selected) };
  const flags = { invalid: false, status: undefined, muted: false };
  if (n.type === 'group-frame') {
    const group = (n as GroupNode).data.group;
    return { ...base, ...flags, kind: 'group', color: group.color ?? GROUP_COLORS[0], caption: group.name ?? '' };
  }
  const text = (n as CommentNode).data.comment.text;
  return { ...base, ...flags, kind: 'comment', color: '#f3e3a0', caption: text };
}

/** Where port `name` of a node is, or undefined when the node has no such port (a stale wire). */
function handleAt(
  box: SceneBox,
  node: EditorNode,
  input: SceneInput,
  name: string,
  side: Position,
): number[] | undefined {
  const subflow = findSubflow(input.subflows, node.data.type);
  const ports = portsOf(node.data.type, node.data.config, subflow ? [subflow] : undefined);
  const list = side === Position.Left ? ports.inputs : ports.outputs;
  const i = list.findIndex((p) => p.name === name);
  if (i < 0) return undefined;
  const y = box.y + NODE_BORDER + handleTop(i);
  return [side === Position.Left ? box.x : box.x + box.width, y];
}

export function buildScene(input: SceneInput): Scene {
  const boxes: SceneBox[] = [];
  const byId = new Map<string, { box: SceneBox; node: EditorNode }>();
  let nodeCount = 0;
  for (const n of input.nodes) {
    if (n.type === 'group-frame' || n.type === 'comment') {
      boxes.push(organiseBox(n));
      continue;
    }
    const node = n as EditorNode;
    const box = flowNodeBox(node, input);
    boxes.push(box);
    byId.set(n.id, { box, node });
    nodeCount++;
  }
  const wires = new Float64Array(input.edges.length * 4);
  let w = 0;
  for (const e of input.edges) {
    const s = byId.get(e.source);
    const t = byId.get(e.target);
    if (!s || !t) continue;
    const from = handleAt(s.box, s.node, input, e.sourceHandle ?? 'out', Position.Right);
    const to = handleAt(t.box, t.node, input, e.targetHandle ?? 'in', Position.Left);
    if (!from || !to) continue;
    wires.set([from[0], from[1], to[0], to[1]], w);
    w += 4;
  }
  return { boxes, wires: wires.subarray(0, w), nodeCount };
}

/** The flow node (not a comment or frame) under a point in flow coordinates; the topmost drawn wins. */
export function nodeAt(scene: Scene, x: number, y: number): SceneBox | undefined {
  for (let i = scene.boxes.length - 1; i >= 0; i--) {
    const b = scene.boxes[i];
    if (b.kind === 'node' && x >= b.x && x <= b.x + b.width && y >= b.y && y <= b.y + b.height) return b;
  }
  return undefined;
}

/** The ids of the flow nodes wholly inside `r` (flow coordinates), as React Flow's selection rectangle selects. */
export function nodesWithin(scene: Scene, r: { x: number; y: number; width: number; height: number }): string[] {
  return scene.boxes
    .filter(
      (b) =>
        b.kind === 'node' &&
        b.x >= r.x &&
        b.y >= r.y &&
        b.x + b.width <= r.x + r.width &&
        b.y + b.height <= r.y + r.height,
    )
    .map((b) => b.id);
}

/**
 * React Flow's bezier between two handles (its `calculateControlOffset` with curvature 0.25), so that the overview's
 * wires have the shape the wires have when zoomed in.
 */
export function controlOffset(sourceX: number, targetX: number): number {
  const d = targetX - sourceX;
  return d >= 0 ? 0.5 * d : 0.25 * 25 * Math.sqrt(-d);
}
