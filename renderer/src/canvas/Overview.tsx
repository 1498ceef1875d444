/**
 * A large flow zoomed out, drawn as one picture (overview-scene.ts, overview-draw.ts) while React Flow keeps the
 * viewport, the pan and zoom gestures and the selection rectangle. On the picture a click selects the node
 * under the pointer (Ctrl/Cmd+click adds or removes it), Shift+drag the nodes it encloses, a double-click zooms to
 * the node, and hovering names it.
 */
import { Panel, useStoreApi } from '@xyflow/react';
import { useCallback, useContext, useEffect, useLayoutEffect, useMemo, useRef } from 'react';
import { useStore } from 'zustand';
import type { CanvasNode } from '../model/organise.js';
import type { EditorEdge } from '../model/types.js';
import { useRevealNode } from '../panels/reveal.js';
import { LiveContext, useFlowStore } from '../state/flow-context.js';
import { useRuntime } from '../state/runtime-store.js';
import css from './Overview.module.css';
import { drawScene } from './overview-draw.js';
import { buildScene, nodeAt, nodesWithin, type SceneBox } from './overview-scene.js';

const PANE = '.react-flow__pane';
const NO_POINTER = { pointerEvents: 'none' } as const;

export function Overview({ nodes, edges }: { nodes: readonly CanvasNode[]; edges: readonly EditorEdge[] }) {
  const rf = useStoreApi();
  const store = useFlowStore();
  const subflows = useStore(store, (s) => s.meta.subflows);
  const problemsByNode = useStore(store, (s) => s.problemsByNode);
  const live = useContext(LiveContext);
  const statuses = useRuntime((s) => (live === undefined ? undefined : s.flows[live]?.statuses));
  const scene = useMemo(
    () => buildScene({ nodes, edges, subflows, problemsByNode, statuses }),
    [nodes, edges, subflows, problemsByNode, statuses],
  );
  const sceneRef = useRef(scene);
  sceneRef.current = scene;
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const hovered = useRef<SceneBox | undefined>(undefined);
  const frame = useRef(0);
  const reveal = useRevealNode();

  const draw = useCallback(() => {
    frame.current = 0;
    const canvas = canvasRef.current;
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx) return;
    const { transform, width, height } = rf.getState();
    const dpr = window.devicePixelRatio || 1;
    const w = Math.round(width * dpr);
    const h = Math.round(height * dpr);
    if (canvas.width !== w || canvas.height !== h) {
      canvas.width = w;
      canvas.height = h;
    }
    const view = { x: transform[0], y: transform[1], zoom: transform[2], width, height, dpr };
    const drawn = drawScene(ctx, sceneRef.current, view, hovered.current);
    // What is drawn, for tests and the benchmark (they cannot look into a canvas); written only when it changes.
    if (canvas.dataset.nodes !== String(drawn.nodes)) canvas.dataset.nodes = String(drawn.nodes);
    if (canvas.dataset.wires !== String(drawn.wires)) canvas.dataset.wires = String(drawn.wires);
  }, [rf]);
  const schedule = useCallback(() => {
    if (!frame.current) frame.current = requestAnimationFrame(draw);
  }, [draw]);

  // A new scene (an edit, a selection, a status) is drawn before the browser paints; a pan frame on the next frame.
  useLayoutEffect(() => {
    hovered.current = hovered.current && scene.boxes.find((b) => b.id === hovered.current?.id);
    draw();
  }, [scene, draw]);
  useEffect(() => {
    // Shift+drag: React Flow draws the rectangle but selects only nodes it draws; the overview selects what it encloses.
    let box: { x: number; y: number; width: number; height: number } | undefined;
    const unsubscribe = rf.subscribe((s, prev) => {
      if (s.transform !== prev.transform || s.width !== prev.width || s.height !== prev.height) schedule();
      if (s.userSelectionRect && s.userSelectionRect.width + s.userSelectionRect.height > 0) box = s.userSelectionRect;
      else if (!s.userSelectionRect && box) {
        const [tx, ty, zoom] = s.transform;
        const inside = nodesWithin(sceneRef.current, {
          x: (box.x - tx) / zoom,
          y: (box.y - ty) / zoom,
          width: box.width / zoom,
          height: box.height / zoom,
        });
        box = undefined;
        store.getState().selectOnly(inside);
      }
    });
    return () => {
      unsubscribe();
      cancelAnimationFrame(frame.current);
      frame.current = 0;
    };
  }, [rf, store, schedule]);

  // Pointer events reach the pane (the canvas lets them through); capture them on the way to find the node hit.
  useEffect(() => {
    const root = rf.getState().domNode;
    const pane = root?.querySelector<HTMLElement>(PANE);
    if (!root || !pane) return;
    const hit = (e: MouseEvent): SceneBox | undefined => {
      if (!(e.target instanceof Element) || !e.target.closest(PANE)) return undefined;
      const r = root.getBoundingClientRect();
      const [tx, ty, zoom] = rf.getState().transform;
      return nodeAt(sceneRef.current, (e.clientX - r.left - tx) / zoom, (e.clientY - r.top - ty) / zoom);
    };
    const onClick = (e: MouseEvent) => {
      const node = hit(e);
      if (!node) return;
      // Not to React Flow's pane: it would clear the selection this click makes.
      e.stopPropagation();
      const s = store.getState();
      if (e.ctrlKey || e.metaKey) s.onNodesChange([{ type: 'select', id: node.id, selected: !node.selected }]);
      else s.selectOnly([node.id]);
    };
    const onDoubleClick = (e: MouseEvent) => {
      const node = hit(e);
      if (!node) return;
      // Not to the pane's zoom-on-double-click: the view goes to the node instead.
      e.stopPropagation();
      reveal(node.id);
    };
    const onMove = (e: MouseEvent) => {
      const node = e.buttons ? undefined : hit(e);
      if (node === hovered.current) return;
      hovered.current = node;
      pane.style.cursor = node ? 'pointer' : '';
      schedule();
    };
    const onLeave = () => {
      if (!hovered.current) return;
      hovered.current = undefined;
      pane.style.cursor = '';
      schedule();
    };
    root.addEventListener('click', onClick, true);
    root.addEventListener('dblclick', onDoubleClick, true);
    root.addEventListener('mousemove', onMove);
    root.addEventListener('mouseleave', onLeave);
    return () => {
      root.removeEventListener('click', onClick, true);
      root.removeEventListener('dblclick', onDoubleClick, true);
      root.removeEventListener('mousemove', onMove);
      root.removeEventListener('mouseleave', onLeave);
      pane.style.cursor = '';
    };
  }, [rf, store, reveal, schedule]);

  return (
    <>
      <canvas
        ref={canvasRef}
        className={css.canvas}
        data-testid="overview"
        aria-label={`Overview of ${scene.nodeCount} nodes: zoom in to edit`}
      />
      {/* Never in the way: the pointer goes through it to the flow under it. */}
      <Panel position="bottom-center" style={NO_POINTER}>
        <div className={css.hint} data-testid="overview-hint">
          Overview: click a node to select it, double-click to zoom to it; zoom in to edit
        </div>
      </Panel>
    </>
  );
}
