/**
 * One open flow: its content (undoable with zundo) plus view state that is not history (problems).
 * Every action keeps the graph valid: removing a node removes its edges; edges only join existing ports.
 */
import { applyEdgeChanges, applyNodeChanges, type EdgeChange, type NodeChange } from '@xyflow/react';
import { temporal } from 'zundo';
import { createStore, type StoreApi } from 'zustand/vanilla';
import {
  type FlowComment,
  type FlowConnection,
  type FlowGroup,
  isSubflowType,
  type Problem,
  subflowIdOf,
} from '../../../src/flow/index.js';
import { connectionKind, nodeDefinition } from '../model/catalog.js';
import { edgeProblem, type ProposedEdge } from '../model/connect-rules.js';
import { toEditorEdge } from '../model/convert.js';
import { schemaDefaults } from '../model/defaults.js';
import type { Pasted } from '../model/fragment.js';
import { sameContent } from '../model/history.js';
import { uniqueId } from '../model/ids.js';
import { type MadeSubflow, selectionToSubflow } from '../model/make-subflow.js';
import {
  type CanvasNode,
  COMMENT_PREFIX,
  COMMENT_SIZE,
  frameOf,
  GROUP_COLORS,
  GROUP_PREFIX,
  isOrganiseId,
  newCommentId,
  newGroupId,
  withoutNodes,
} from '../model/organise.js';
import { portsOf } from '../model/ports.js';
import { type DocMeta, type EditorNode, type FlowContent, NODE_TYPE, type NodeData } from '../model/types.js';

export interface FlowState extends FlowContent {
  /** Problems from the last validation run, and the same indexed by node and connection id. */
  problems: Problem[];
  problemsByNode: Record<string, Problem[]>;
  problemsByConnection: Record<string, Problem[]>;

  /** Canvas ids of the selected comments and group frames (view state, not history). */
  organiseSelected: string[];

  /** Changes to flow nodes, comments and group frames alike (dragging a frame moves its nodes). */
  onNodesChange(changes: NodeChange<CanvasNode>[]): void;
  onEdgesChange(changes: EdgeChange[]): void;
  /** Adds the edge, or returns why it cannot be added. */
  connect(edge: ProposedEdge): string | undefined;
  addNode(type: string, position: { x: number; y: number }): string;
  updateNode(id: string, patch: Partial<Pick<NodeData, 'name' | 'config'>>): void;
  deleteSelection(): void;
  selectOnly(nodeIds: readonly string[]): void;
  selectAll(): void;
  insert(pasted: Pasted): void;
  setPositions(positions: ReadonlyMap<string, { x: number; y: number }>): void;
  setMeta(patch: Partial<DocMeta>): void;
  addConnection(kind: string): string;
  updateConnection(id: string, patch: Partial<Omit<FlowConnection, 'id'>>): void;
  removeConnection(id: string): void;
  replaceContent(content: FlowContent): void;
  setProblems(problems: Problem[]): void;
  /** A drag (or other continuous gesture) is one undo step: history pauses until it ends. */
  beginGesture(): void;
  endGesture(): void;
  addComment(position: { x: number; y: number }, text?: string): string;
  updateComment(id: string, patch: Partial<Omit<FlowComment, 'id'>>): void;
  /** Groups the selected nodes (taking them out of any other group); undefined when no node is selected. */
  groupSelection(name?: string): string | undefined;
  updateGroup(id: string, patch: Partial<Pick<FlowGroup, 'name' | 'color'>>): void;
  /** Removes the group; its nodes stay where they are. */
  ungroup(id: string): void;
  /** Turns the selected nodes into a subflow and its use; returns why not as a string. */
  makeSubflow(name?: string): MadeSubflow | string;
}

export type FlowStore = StoreApi<FlowState> & {
  temporal: StoreApi<import('zundo').TemporalState<FlowContent>>;
};

/** Undo steps kept per flow. */
const HISTORY_LIMIT = 200;

/** Edits to the same field within this window are one undo step (typing a word is not twenty steps). */
const COALESCE_MS = 1000;

function partialize(s: FlowState): FlowContent {
  return { meta: s.meta, nodes: s.nodes, edges: s.edges, connections: s.connections };
}

/** Meta with new comments or groups; an emptied list leaves the document. */
function withOrganise(meta: DocMeta, patch: { comments?: FlowComment[]; groups?: FlowGroup[] }): DocMeta {
  const next: DocMeta = { ...meta };
  if (patch.comments) {
    if (patch.comments.length) next.comments = patch.comments;
    else delete next.comments;
  }
  if (patch.groups) {
    if (patch.groups.length) next.groups = patch.groups;
    else delete next.groups;
  }
  return next;
}

function sameGroups(a: readonly FlowGroup[], b: readonly FlowGroup[]): boolean {
  return a.length === b.length && a.every((g, i) => g === b[i]);
}

function groupBy(problems: Problem[], key: 'nodeId' | 'connectionId'): Record<string, Problem[]> {
  const out: Record<string, Problem[]> = {};
  for (const p of problems) {
    const id = p[key];
    if (id === undefined) continue;
    const list = out[id];
    if (list) list.push(p);
    else out[id] = [p];
  }
  return out;
}

/**
 * Nodes the browser has just measured lose the handles declared for them at open (model/node-geometry.ts): from now
 * on React Flow uses the measured ones.
 */
function withoutDeclaredHandles(changes: NodeChange<EditorNode>[], nodes: EditorNode[]): EditorNode[] {
  const measured = new Set<string>();
  for (const c of changes) if (c.type === 'dimensions') measured.add(c.id);
  if (measured.size === 0) return nodes;
  return nodes.map((n) => {
    if (!n.handles || !measured.has(n.id)) return n;
    const { handles: _declared, ...rest } = n;
    return rest;
  });
}

export function createFlowStore(initial: FlowContent): FlowStore {
  let gesture: FlowContent | undefined;
  let lastEdit: { key: string; at: number } | undefined;

  const store = createStore<FlowState>()(
    temporal(
      (set, get) => {
        /** Runs `fn` as part of the previous undo step when it continues the same edit. */
        const coalesced = (key: string, fn: () => void) => {
          const now = Date.now();
          const same = lastEdit !== undefined && lastEdit.key === key && now - lastEdit.at < COALESCE_MS;
          lastEdit = { key, at: now };
          const t = (store as FlowStore).temporal.getState();
          if (same && t.isTracking) {
            t.pause();
            try {
              fn();
            } finally {
              t.resume();
            }
          } else fn();
        };

        /** Selection, drags and resizes of comments and group frames; `nodeMoves` moved flow nodes themselves. */
        const applyOrganiseChanges = (changes: NodeChange<CanvasNode>[], nodeMoves: NodeChange<EditorNode>[]) => {
          const s = get();
          let selected = s.organiseSelected;
          const before = s.meta.comments ?? [];
          let comments = before;
          let nodes = s.nodes;
          const movedItself = new Set(nodeMoves.filter((c) => c.type === 'position').map((c) => c.id));
          for (const c of changes) {
            if (c.type === 'select') {
              const rest = selected.filter((x) => x !== c.id);
              selected = c.selected ? [...rest, c.id] : rest;
            } else if (c.type === 'position' && c.position) {
              const to = c.position;
              if (c.id.startsWith(COMMENT_PREFIX)) {
                const id = c.id.slice(COMMENT_PREFIX.length);
                comments = comments.map((x) => (x.id === id ? { ...x, position: { x: to.x, y: to.y } } : x));
              } else if (c.id.startsWith(GROUP_PREFIX)) {
                // A frame is where its nodes are: dragging it moves them by the same amount.
                const group = (s.meta.groups ?? []).find((g) => GROUP_PREFIX + g.id === c.id);
                const frame = group && frameOf(group, new Map(nodes.map((n) => [n.id, n])));
                if (!group || !frame) continue;
                const dx = to.x - frame.x;
                const dy = to.y - frame.y;
                if (dx === 0 && dy === 0) continue;
                const members = new Set(group.nodes.filter((id) => !movedItself.has(id)));
                nodes = nodes.map((n) =>
                  members.has(n.id) ? { ...n, position: { x: n.position.x + dx, y: n.position.y + dy } } : n,
                );
              }
            } else if (
              c.type === 'dimensions' &&
              c.resizing !== undefined &&
              c.dimensions &&
              c.id.startsWith(COMMENT_PREFIX)
            ) {
              const id = c.id.slice(COMMENT_PREFIX.length);
              const { width, height } = c.dimensions;
              comments = comments.map((x) =>
                x.id === id ? { ...x, width: Math.round(width), height: Math.round(height) } : x,
              );
            }
          }
          const patch: Partial<FlowState> = {};
          if (selected !== s.organiseSelected) patch.organiseSelected = selected;
          if (comments !== before) patch.meta = withOrganise(s.meta, { comments });
          if (nodes !== s.nodes) patch.nodes = nodes;
          if (Object.keys(patch).length) set(patch);
        };

        return {
          ...initial,
          problems: [],
          problemsByNode: {},
          problemsByConnection: {},
          organiseSelected: [],

          onNodesChange(all) {
            // Removal goes through deleteSelection so that edges go with their nodes in one step.
            const changes = all.filter((c) => c.type !== 'remove');
            const organise = changes.filter((c) => 'id' in c && isOrganiseId(c.id));
            const kept = (
              organise.length ? changes.filter((c) => !organise.includes(c)) : changes
            ) as NodeChange<EditorNode>[];
            if (kept.length) set({ nodes: withoutDeclaredHandles(kept, applyNodeChanges(kept, get().nodes)) });
            if (organise.length) applyOrganiseChanges(organise, kept);
          },
          onEdgesChange(changes) {
            const kept = changes.filter((c) => c.type !== 'remove');
            if (kept.length) set({ edges: applyEdgeChanges(kept, get().edges) });
          },
          connect(edge) {
            const s = get();
            const problem = edgeProblem(s, edge);
            if (problem) return problem;
            lastEdit = undefined;
            set({ edges: [...s.edges, toEditorEdge(edge)] });
            return undefined;
          },
          addNode(type, position) {
            const s = get();
            const def = nodeDefinition(type);
            // A subflow's use is named after the subflow (`plausible-1`): `:` separates ids in the expanded flow.
            const id = uniqueId(isSubflowType(type) ? subflowIdOf(type) : type, new Set(s.nodes.map((n) => n.id)));
            const node: EditorNode = {
              id,
              type: NODE_TYPE,
              position,
              selected: true,
              data: { type, config: def ? schemaDefaults(def.config) : {} },
            };
            lastEdit = undefined;
            set({ nodes: [...s.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), node] });
            return id;
          },
          updateNode(id, patch) {
            coalesced(`node:${id}:${Object.keys(patch).join(',')}`, () => {
              const s = get();
              let changedPorts: { before: string[]; after: string[] } | undefined;
              const nodes = s.nodes.map((n) => {
                if (n.id !== id) return n;
                const data: NodeData = { ...n.data, ...patch };
                if (patch.name !== undefined && patch.name.trim() === '') delete data.name;
                if (patch.config) {
                  const names = (config: Record<string, unknown>) => {
                    const p = portsOf(n.data.type, config, s.meta.subflows);
                    return [...p.outputs.map((x) => `out:${x.name}`), ...p.inputs.map((x) => `in:${x.name}`)];
                  };
                  changedPorts = { before: names(n.data.config), after: names(patch.config) };
                }
                // New config, maybe new ports: React Flow measures the node's handles again, never declared ones.
                const { handles: _declared, ...rest } = n;
                return { ...rest, data };
              });
              // A switch that loses an output loses the edges from it, a subflow's Out node that loses a port the
              // edges into it (the graph stays valid).
              let edges = s.edges;
              if (changedPorts) {
                const gone = new Set(changedPorts.before.filter((p) => !changedPorts!.after.includes(p)));
                if (gone.size)
                  edges = edges.filter(
                    (e) =>
                      !(e.source === id && gone.has(`out:${e.sourceHandle ?? 'out'}`)) &&
                      !(e.target === id && gone.has(`in:${e.targetHandle ?? 'in'}`)),
                  );
              }
              set({ nodes, edges });
            });
          },
          deleteSelection() {
            const s = get();
            // A subflow's In and Out nodes (not deletable) stay: they are its ports.
            const gone = new Set(s.nodes.filter((n) => n.selected && n.deletable !== false).map((n) => n.id));
            const edges = s.edges.filter((e) => !e.selected && !gone.has(e.source) && !gone.has(e.target));
            const picked = new Set(s.organiseSelected);
            const comments = (s.meta.comments ?? []).filter((c) => !picked.has(COMMENT_PREFIX + c.id));
            // Deleting a group keeps its nodes; deleting nodes takes them out of their groups.
            const groups = withoutNodes(
              (s.meta.groups ?? []).filter((g) => !picked.has(GROUP_PREFIX + g.id)),
              gone,
            );
            const metaChanged =
              comments.length !== (s.meta.comments?.length ?? 0) || !sameGroups(groups, s.meta.groups ?? []);
            if (gone.size === 0 && edges.length === s.edges.length && !metaChanged) return;
            lastEdit = undefined;
            set({
              nodes: s.nodes.filter((n) => !gone.has(n.id)),
              edges,
              organiseSelected: [],
              ...(metaChanged ? { meta: withOrganise(s.meta, { comments, groups }) } : {}),
            });
          },
          selectOnly(ids) {
            const want = new Set(ids);
            set({
              organiseSelected: [],
              nodes: get().nodes.map((n) =>
                Boolean(n.selected) === want.has(n.id) ? n : { ...n, selected: want.has(n.id) },
              ),
              edges: get().edges.map((e) => (e.selected ? { ...e, selected: false } : e)),
            });
          },
          selectAll() {
            set({
              nodes: get().nodes.map((n) => (n.selected ? n : { ...n, selected: true })),
              edges: get().edges.map((e) => (e.selected ? e : { ...e, selected: true })),
            });
          },
          insert(pasted) {
            const s = get();
            lastEdit = undefined;
            const organise = pasted.groups.length || pasted.comments.length;
            // Subflows the pasted uses need come along (the flow's meta keeps them).
            const meta = pasted.subflows.length
              ? { ...s.meta, subflows: [...(s.meta.subflows ?? []), ...pasted.subflows] }
              : s.meta;
            set({
              ...(meta !== s.meta ? { meta } : {}),
              ...(organise
                ? {
                    meta: withOrganise(meta, {
                      groups: [...(s.meta.groups ?? []), ...pasted.groups],
                      comments: [...(s.meta.comments ?? []), ...pasted.comments],
                    }),
                    organiseSelected: [
                      ...pasted.groups.map((g) => GROUP_PREFIX + g.id),
                      ...pasted.comments.map((c) => COMMENT_PREFIX + c.id),
                    ],
                  }
                : {}),
              nodes: [...s.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), ...pasted.nodes],
              edges: [...s.edges.map((e) => (e.selected ? { ...e, selected: false } : e)), ...pasted.edges],
              connections: pasted.connections.length ? [...s.connections, ...pasted.connections] : s.connections,
            });
          },
          setPositions(positions) {
            lastEdit = undefined;
            set({
              nodes: get().nodes.map((n) => {
                const p = positions.get(n.id);
                return p ? { ...n, position: p } : n;
              }),
            });
          },
          setMeta(patch) {
            coalesced(`meta:${Object.keys(patch).join(',')}`, () => set({ meta: { ...get().meta, ...patch } }));
          },
          addConnection(kind) {
            const s = get();
            const def = connectionKind(kind);
            const id = uniqueId(kind, new Set(s.connections.map((c) => c.id)));
            lastEdit = undefined;
            set({ connections: [...s.connections, { id, kind, config: def ? schemaDefaults(def.config) : {} }] });
            return id;
          },
          updateConnection(id, patch) {
            coalesced(`conn:${id}:${Object.keys(patch).join(',')}`, () =>
              set({ connections: get().connections.map((c) => (c.id === id ? { ...c, ...patch } : c)) }),
            );
          },
          removeConnection(id) {
            lastEdit = undefined;
            set({ connections: get().connections.filter((c) => c.id !== id) });
          },
          replaceContent(content) {
            lastEdit = undefined;
            set({ ...content });
          },
          setProblems(problems) {
            set({
              problems,
              problemsByNode: groupBy(problems, 'nodeId'),
              problemsByConnection: groupBy(problems, 'connectionId'),
            });
          },
          beginGesture() {
            if (gesture) return;
            gesture = partialize(get());
            (store as FlowStore).temporal.getState().pause();
          },
          addComment(position, text = 'Comment') {
            const s = get();
            const comments = s.meta.comments ?? [];
            const id = newCommentId(comments);
            lastEdit = undefined;
            set({
              meta: withOrganise(s.meta, {
                comments: [...comments, { id, text, position, ...COMMENT_SIZE }],
              }),
              nodes: s.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)),
              organiseSelected: [COMMENT_PREFIX + id],
            });
            return id;
          },
          updateComment(id, patch) {
            coalesced(`comment:${id}:${Object.keys(patch).join(',')}`, () => {
              const s = get();
              const comments = (s.meta.comments ?? []).map((c) => (c.id === id ? { ...c, ...patch } : c));
              set({ meta: withOrganise(s.meta, { comments }) });
            });
          },
          groupSelection(name) {
            const s = get();
            const members = s.nodes.filter((n) => n.selected).map((n) => n.id);
            if (members.length === 0) return undefined;
            const existing = s.meta.groups ?? [];
            const id = newGroupId(existing);
            const color = GROUP_COLORS[existing.length % GROUP_COLORS.length];
            const group: FlowGroup = { id, name: name ?? `Group ${existing.length + 1}`, color, nodes: members };
            lastEdit = undefined;
            set({
              meta: withOrganise(s.meta, { groups: [...withoutNodes(existing, new Set(members)), group] }),
              nodes: s.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)),
              organiseSelected: [GROUP_PREFIX + id],
            });
            return id;
          },
          updateGroup(id, patch) {
            coalesced(`group:${id}:${Object.keys(patch).join(',')}`, () => {
              const s = get();
              const groups = (s.meta.groups ?? []).map((g) => {
                if (g.id !== id) return g;
                const next = { ...g, ...patch };
                if (next.name !== undefined && next.name.trim() === '') delete next.name;
                return next;
              });
              set({ meta: withOrganise(s.meta, { groups }) });
            });
          },
          ungroup(id) {
            const s = get();
            lastEdit = undefined;
            set({
              meta: withOrganise(s.meta, { groups: (s.meta.groups ?? []).filter((g) => g.id !== id) }),
              organiseSelected: s.organiseSelected.filter((x) => x !== GROUP_PREFIX + id),
            });
          },
          makeSubflow(name) {
            const s = get();
            const made = selectionToSubflow(
              partialize(s),
              s.nodes.filter((n) => n.selected).map((n) => n.id),
              name,
            );
            if (typeof made === 'string') return made;
            lastEdit = undefined;
            set({ ...made.content, organiseSelected: [] });
            return made;
          },
          endGesture() {
            const before = gesture;
            if (!before) return;
            gesture = undefined;
            lastEdit = undefined;
            const t = (store as FlowStore).temporal;
            t.getState().resume();
            // Record the whole gesture as one step, and only if it changed something.
            if (!sameContent(before, partialize(get()))) {
              t.setState({ pastStates: [...t.getState().pastStates, before].slice(-HISTORY_LIMIT), futureStates: [] });
            }
          },
        };
      },
      { partialize, equality: sameContent, limit: HISTORY_LIMIT },
    ),
  ) as FlowStore;
  return store;
}
