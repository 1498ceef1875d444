/**
 * One open flow: its content (undoable with zundo) plus view state that is not history (problems).
 * Every action keeps the graph valid: removing a node removes its edges; edges only join existing ports.
 */
import { applyEdgeChanges, applyNodeChanges, type EdgeChange, type NodeChange } from '@xyflow/react';
import { temporal } from 'zundo';
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { FlowConnection, Problem } from '../../../src/flow/index.js';
import { connectionKind, nodeDefinition } from '../model/catalog.js';
import { edgeProblem, type ProposedEdge } from '../model/connect-rules.js';
import { toEditorEdge } from '../model/convert.js';
import { schemaDefaults } from '../model/defaults.js';
import type { Pasted } from '../model/fragment.js';
import { sameContent } from '../model/history.js';
import { uniqueId } from '../model/ids.js';
import { portsOf } from '../model/ports.js';
import { type DocMeta, type EditorNode, type FlowContent, NODE_TYPE, type NodeData } from '../model/types.js';

export interface FlowState extends FlowContent {
  /** Problems from the last validation run, and the same indexed by node and connection id. */
  problems: Problem[];
  problemsByNode: Record<string, Problem[]>;
  problemsByConnection: Record<string, Problem[]>;

  onNodesChange(changes: NodeChange<EditorNode>[]): void;
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

        return {
          ...initial,
          problems: [],
          problemsByNode: {},
          problemsByConnection: {},

          onNodesChange(changes) {
            // Removal goes through deleteSelection so that edges go with their nodes in one step.
            const kept = changes.filter((c) => c.type !== 'remove');
            if (kept.length) set({ nodes: applyNodeChanges(kept, get().nodes) });
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
            const id = uniqueId(type, new Set(s.nodes.map((n) => n.id)));
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
                  const before = portsOf(n.data.type, n.data.config).outputs.map((p) => p.name);
                  const after = portsOf(n.data.type, patch.config).outputs.map((p) => p.name);
                  changedPorts = { before, after };
                }
                return { ...n, data };
              });
              // A switch that loses an output loses the edges from it (the graph stays valid).
              let edges = s.edges;
              if (changedPorts) {
                const gone = new Set(changedPorts.before.filter((p) => !changedPorts!.after.includes(p)));
                if (gone.size) edges = edges.filter((e) => !(e.source === id && gone.has(e.sourceHandle ?? 'out')));
              }
              set({ nodes, edges });
            });
          },
          deleteSelection() {
            const s = get();
            const gone = new Set(s.nodes.filter((n) => n.selected).map((n) => n.id));
            const edges = s.edges.filter((e) => !e.selected && !gone.has(e.source) && !gone.has(e.target));
            if (gone.size === 0 && edges.length === s.edges.length) return;
            lastEdit = undefined;
            set({ nodes: s.nodes.filter((n) => !gone.has(n.id)), edges });
          },
          selectOnly(ids) {
            const want = new Set(ids);
            set({
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
            set({
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
