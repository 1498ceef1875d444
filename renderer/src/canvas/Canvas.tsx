/**
 * The canvas of the open flow. React Flow in controlled mode over the flow store; nodeTypes is a module constant and
 * node components are memoised, so a 1,000-node flow pans without React work per frame. A large flow draws only the
 * nodes and edges in view (its nodes declare their geometry, model/node-geometry.ts, so the others are never mounted);
 * zoomed in, React Flow is given only the part around the view (graph-window.ts), zoomed out it is drawn as an
 * overview (Overview.tsx); and every saved flow reopens where the user left it (viewport-memory.ts).
 */
import {
  Background,
  BackgroundVariant,
  type Connection,
  ControlButton,
  Controls,
  type FinalConnectionState,
  MiniMap,
  type OnConnectEnd,
  ReactFlow,
  useReactFlow,
  useStore as useViewStore,
  type Viewport,
} from '@xyflow/react';
import { type DragEvent, useCallback, useContext, useEffect, useMemo, useRef, useState } from 'react';
import { useStore } from 'zustand';
import { isSubflowType, subflowIdOf } from '../../../src/flow/index.js';
import { FALLBACK_COLOR, nodeDefinition } from '../model/catalog.js';
import { connectionProblem, edgeProblem, orient } from '../model/connect-rules.js';
import { type CanvasNode, organiseNodes } from '../model/organise.js';
import { SUBFLOW_COLOR } from '../model/subflows.js';
import type { EditorNode } from '../model/types.js';
import { LiveContext, useFlowStore } from '../state/flow-context.js';
import { openSubflow } from '../state/subflow-actions.js';
import { tapKey, toggleTap, useTaps } from '../state/taps.js';
import { useUi } from '../state/ui-store.js';
import { activeTab, useWorkspace } from '../state/workspace.js';
import { IconFit, IconMap } from '../ui/icons.js';
import { CommentNode } from './CommentNode.js';
import { ConnectionLine } from './ConnectionLine.js';
import { FlowNode } from './FlowNode.js';
import { FIT_VIEW, useFitFlow } from './fit.js';
import { GroupFrame } from './GroupFrame.js';
import { windowedGraph } from './graph-window.js';
import { Overview } from './Overview.js';
import { isOverview, OVERVIEW_MIN_NODES } from './overview-scene.js';
import { PALETTE_MIME } from './palette-drag.js';
import { dropTopic, TOPIC_MIME } from './topic-drop.js';
import { useCanvasCommands } from './use-canvas-commands.js';
import { useGraphWindow } from './use-graph-window.js';
import { rememberedViewport, rememberViewport } from './viewport-memory.js';

const nodeTypes = { sluice: FlowNode, comment: CommentNode, 'group-frame': GroupFrame };
const proOptions = { hideAttribution: true };
const snapGrid: [number, number] = [10, 10];
const miniMapSize = { width: 168, height: 112 };
const GRID_MAX_NODES = 300;
/** A small flow fits at a glance; its minimap would only cover nodes. */
const MINIMAP_AUTO_NODES = 12;
/**
 * From this size on, only what is in view is drawn. Below it every node stays in the page: culling costs a pass over
 * the nodes on every pan frame and mounts nodes as they scroll in, which a small flow does not need.
 */
const CULL_MIN_NODES = 200;
const NO_EDGES: never[] = [];

function miniMapColor(n: CanvasNode): string {
  if (n.type === 'comment') return '#f3e3a0';
  if (n.type === 'group-frame') return 'transparent';
  const type = (n as EditorNode).data.type;
  return isSubflowType(type) ? SUBFLOW_COLOR : (nodeDefinition(type)?.color ?? FALLBACK_COLOR);
}

/** The node under the pointer at the end of a drag (for "a source takes no input"). */
function nodeUnder(event: MouseEvent | TouchEvent): string | null {
  const point = 'changedTouches' in event ? event.changedTouches[0] : event;
  const el = document.elementFromPoint(point.clientX, point.clientY);
  return el?.closest<HTMLElement>('.react-flow__node')?.dataset.id ?? null;
}

export function Canvas() {
  const store = useFlowStore();
  const flowNodes = useStore(store, (s) => s.nodes);
  const comments = useStore(store, (s) => s.meta.comments);
  const groups = useStore(store, (s) => s.meta.groups);
  const organiseSelected = useStore(store, (s) => s.organiseSelected);
  // Comments and group frames join the flow's nodes on the canvas; a flow without them passes its nodes as they are.
  const nodes = useMemo<CanvasNode[]>(() => {
    if (!comments?.length && !groups?.length) return flowNodes;
    return [...organiseNodes(flowNodes, comments, groups, new Set(organiseSelected)), ...flowNodes];
  }, [flowNodes, comments, groups, organiseSelected]);
  const storeEdges = useStore(store, (s) => s.edges);
  const notify = useUi((s) => s.notify);
  const live = useContext(LiveContext);
  const tapped = useTaps((s) => (live ? s.byFlow[live] : undefined));
  // Watched wires look watched; the store's edges (and undo history) are not touched.
  const edges = useMemo(() => {
    if (!tapped?.length) return storeEdges;
    const on = new Set(tapped);
    return storeEdges.map((e) =>
      on.has(tapKey(e.source, e.sourceHandle ?? 'out'))
        ? { ...e, className: `${e.className ?? ''} tapped`.trim(), animated: true }
        : e,
    );
  }, [storeEdges, tapped]);
  const onEdgeDoubleClick = useCallback(
    (_: unknown, edge: { source: string; sourceHandle?: string | null }) => {
      if (live) void toggleTap(live, edge.source, edge.sourceHandle ?? 'out');
      else notify('info', 'Deploy the flow to watch its wires');
    },
    [live, notify],
  );
  // Double-clicking a subflow's use opens the subflow (Node-RED opens it from the node too).
  const onNodeDoubleClick = useCallback((_: unknown, node: CanvasNode) => {
    const type = (node as EditorNode).data?.type;
    const tab = activeTab();
    if (typeof type === 'string' && isSubflowType(type) && tab) openSubflow(tab, subflowIdOf(type));
  }, []);
  const rf = useReactFlow<EditorNode>();
  const miniMapMode = useUi((s) => s.miniMap);
  // A large flow starts without it: the minimap repaints all its nodes on every pan frame (5,000 nodes zoomed in:
  // ~22 instead of ~10 ms of main thread per frame here). The button still shows it.
  const showMiniMap =
    miniMapMode === 'on' ||
    (miniMapMode === 'auto' && nodes.length > MINIMAP_AUTO_NODES && flowNodes.length < CULL_MIN_NODES);
  const pointer = useCanvasCommands(store);
  // A saved flow opens where the user left it; otherwise it is fitted into view once (an empty flow keeps zoom 1 so
  // that the first node does not fill the screen).
  const flowId = useWorkspace((s) => s.tab(s.activeKey)?.serverId);
  const [opening] = useState(() => {
    const remembered = rememberedViewport(flowId);
    return { viewport: remembered, fit: remembered === undefined && store.getState().nodes.length > 0 };
  });
  // The fit on open is not the user's choice: remembering it would pin the view of a flow that later grows.
  const skipFit = useRef(opening.fit);
  // A large flow zoomed out is drawn as one picture (Overview): React Flow keeps its nodes, hidden, for the viewport,
  // Fit view and the selection, and mounts none of them. Opening fitted starts there, before the fit has zoomed out.
  const zoomedOut = useViewStore((s) => isOverview(s.transform[2], flowNodes.length));
  const [fitted, setFitted] = useState(!opening.fit);
  const overview = zoomedOut || (flowNodes.length >= OVERVIEW_MIN_NODES && !fitted);
  // React Flow fits on open once a change of nodes finds them all measured; hidden nodes are never measured, so
  // nothing would change: ask for the fit (it counts the hidden nodes' declared sizes, FIT_VIEW).
  const fitHidden = useRef(opening.fit && overview);
  useEffect(() => {
    if (fitHidden.current) void rf.fitView({ ...FIT_VIEW });
  }, [rf]);
  // Zoomed in, React Flow gets only what is around the view (graph-window.ts). Not with the minimap on: it draws
  // React Flow's nodes, and should show all of them.
  const win = useGraphWindow(flowNodes.length >= CULL_MIN_NODES && !overview && !showMiniMap, opening.viewport);
  const drawn = useMemo(() => {
    if (overview) return { nodes: nodes.map((n) => (n.hidden ? n : { ...n, hidden: true })), edges: NO_EDGES };
    return win ? windowedGraph(nodes, edges, win) : { nodes, edges };
  }, [nodes, edges, overview, win]);
  const fitView = useFitFlow(store);
  const onMoveEnd = useCallback(
    (event: MouseEvent | TouchEvent | null, v: Viewport) => {
      setFitted(true);
      if (skipFit.current && event === null) {
        skipFit.current = false;
        return;
      }
      skipFit.current = false;
      rememberViewport(flowId, v);
    },
    [flowId],
  );

  const actions = useMemo(() => {
    const s = () => store.getState();
    return {
      onNodesChange: (c: Parameters<ReturnType<typeof s>['onNodesChange']>[0]) => s().onNodesChange(c),
      onEdgesChange: (c: Parameters<ReturnType<typeof s>['onEdgesChange']>[0]) => s().onEdgesChange(c),
      begin: () => s().beginGesture(),
      end: () => s().endGesture(),
    };
  }, [store]);

  const isValidConnection = useCallback(
    (c: Connection | { source: string; target: string; sourceHandle?: string | null; targetHandle?: string | null }) =>
      edgeProblem(store.getState(), {
        source: c.source,
        sourcePort: c.sourceHandle ?? 'out',
        target: c.target,
        targetPort: c.targetHandle ?? 'in',
      }) === undefined,
    [store],
  );

  const onConnect = useCallback(
    (c: Connection) => {
      const problem = store.getState().connect({
        source: c.source,
        sourcePort: c.sourceHandle ?? 'out',
        target: c.target,
        targetPort: c.targetHandle ?? 'in',
      });
      if (problem) notify('error', problem);
    },
    [store, notify],
  );

  const onConnectEnd: OnConnectEnd = useCallback(
    (event: MouseEvent | TouchEvent, state: FinalConnectionState) => {
      if (state.isValid || !state.fromHandle || !state.fromNode) return;
      const from = { nodeId: state.fromNode.id, type: state.fromHandle.type, port: state.fromHandle.id ?? null };
      const to = state.toHandle
        ? { nodeId: state.toHandle.nodeId, type: state.toHandle.type, port: state.toHandle.id ?? null }
        : null;
      const problem = connectionProblem(store.getState(), from, to, to ? null : nodeUnder(event));
      if (problem) notify('error', `Not connected: ${problem}`);
      else if (to) {
        const e = orient(from, to);
        if (e) notify('error', `Not connected: ${edgeProblem(store.getState(), e) ?? 'these ports do not fit'}`);
      }
    },
    [store, notify],
  );

  const onDragOver = useCallback((e: DragEvent) => {
    if (!e.dataTransfer.types.includes(PALETTE_MIME) && !e.dataTransfer.types.includes(TOPIC_MIME)) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
  }, []);

  const onDrop = useCallback(
    (e: DragEvent) => {
      const type = e.dataTransfer.getData(PALETTE_MIME);
      const topic = type ? '' : e.dataTransfer.getData(TOPIC_MIME);
      if (!type && !topic) return;
      e.preventDefault();
      const p = rf.screenToFlowPosition({ x: e.clientX, y: e.clientY });
      // A topic from the topic browser: an mqtt-in subscribed to it.
      if (topic) {
        dropTopic(store, topic, { x: Math.round((p.x - 90) / 10) * 10, y: Math.round((p.y - 22) / 10) * 10 });
        return;
      }
      // Drop under the pointer, centred on the node's header.
      store.getState().addNode(type, { x: Math.round((p.x - 90) / 10) * 10, y: Math.round((p.y - 22) / 10) * 10 });
    },
    [rf, store],
  );

  return (
    <ReactFlow<CanvasNode>
      nodes={drawn.nodes}
      edges={drawn.edges}
      nodeTypes={nodeTypes}
      onNodesChange={actions.onNodesChange}
      onEdgesChange={actions.onEdgesChange}
      onConnect={onConnect}
      onEdgeDoubleClick={onEdgeDoubleClick}
      onNodeDoubleClick={onNodeDoubleClick}
      onConnectEnd={onConnectEnd}
      isValidConnection={isValidConnection}
      connectionLineComponent={ConnectionLine}
      onNodeDragStart={actions.begin}
      onNodeDragStop={actions.end}
      onSelectionDragStart={actions.begin}
      onSelectionDragStop={actions.end}
      onDragOver={onDragOver}
      onDrop={onDrop}
      onPaneMouseMove={pointer.track}
      onPaneMouseLeave={pointer.forget}
      deleteKeyCode={null}
      selectionKeyCode="Shift"
      multiSelectionKeyCode={['Meta', 'Control']}
      snapToGrid
      snapGrid={snapGrid}
      minZoom={0.05}
      maxZoom={2.5}
      fitView={opening.fit}
      fitViewOptions={FIT_VIEW}
      defaultViewport={opening.viewport}
      onMoveEnd={onMoveEnd}
      onlyRenderVisibleElements={flowNodes.length >= CULL_MIN_NODES}
      proOptions={proOptions}
      className={live ? 'live' : undefined}
    >
      {overview && <Overview nodes={nodes} edges={storeEdges} />}
      {/* The dot grid repaints on every pan frame; large flows pan faster without it. */}
      {nodes.length <= GRID_MAX_NODES && (
        <Background variant={BackgroundVariant.Dots} gap={20} size={1.2} color="#cdd3db" />
      )}
      {showMiniMap && (
        <MiniMap<CanvasNode>
          style={miniMapSize}
          pannable
          zoomable
          nodeColor={miniMapColor}
          nodeStrokeWidth={0}
          maskColor="rgb(244 245 247 / 70%)"
        />
      )}
      <Controls showInteractive={false} showFitView={false}>
        <ControlButton
          onClick={() => fitView()}
          className="react-flow__controls-fitview"
          title="Fit view"
          aria-label="Fit view"
        >
          <IconFit />
        </ControlButton>
        <ControlButton
          onClick={() => useUi.getState().setMiniMap(showMiniMap ? 'off' : 'on')}
          title={showMiniMap ? 'Hide the minimap' : 'Show the minimap'}
          aria-label={showMiniMap ? 'Hide the minimap' : 'Show the minimap'}
          data-testid="toggle-minimap"
        >
          <IconMap />
        </ControlButton>
      </Controls>
    </ReactFlow>
  );
}
