/**
 * Keyboard shortcuts and clipboard events for the canvas of the open flow. Listens on the document while the canvas
 * is mounted; keys typed into fields and code editors are left alone.
 */
import { type ReactFlowInstance, useReactFlow } from '@xyflow/react';
import { type MouseEvent as ReactMouseEvent, useEffect, useMemo, useRef } from 'react';
import type { EditorNode } from '../model/types.js';
import { deploy, save } from '../state/flow-actions.js';
import type { FlowStore } from '../state/flow-store.js';
import { makeSubflow } from '../state/subflow-actions.js';
import { useUi } from '../state/ui-store.js';
import { copySelection, duplicateSelection, pasteInternal, pasteText, selectionText } from './clipboard.js';
import { type FitFlow, useFitFlow } from './fit.js';
import { layoutPositions } from './layout.js';
import { type Command, commandFor, isTyping } from './shortcuts.js';

export async function autoLayout(store: FlowStore, fitView: FitFlow): Promise<void> {
  const s = store.getState();
  if (s.nodes.length === 0) return;
  try {
    const positions = await layoutPositions(s.nodes, s.edges, s.meta.subflows);
    store.getState().setPositions(positions);
    requestAnimationFrame(() => fitView({ duration: 250 }));
  } catch (err) {
    useUi.getState().notify('error', `Layout failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** A comment at `at` (flow coordinates), or in the middle of the visible canvas. */
export function addComment(store: FlowStore, rf: ReactFlowInstance<EditorNode>, at?: { x: number; y: number }): void {
  let p = at;
  if (!p) {
    const pane = document.querySelector('.react-flow')?.getBoundingClientRect();
    p = pane
      ? rf.screenToFlowPosition({ x: pane.left + pane.width / 2, y: pane.top + pane.height / 3 })
      : { x: 0, y: 0 };
  }
  store.getState().addComment({ x: Math.round(p.x / 10) * 10, y: Math.round(p.y / 10) * 10 });
}

/** Groups the selected nodes, or says how to. */
export function groupSelection(store: FlowStore): void {
  if (store.getState().groupSelection() === undefined) {
    useUi.getState().notify('info', 'Select the nodes to group first (Shift+drag or Ctrl+click), then Group.');
  }
}

export function runCommand(
  command: Command,
  store: FlowStore,
  rf: ReactFlowInstance<EditorNode>,
  fitView: FitFlow,
  pointer?: { x: number; y: number },
): boolean {
  const s = store.getState();
  const ui = useUi.getState();
  switch (command) {
    case 'help':
      ui.setDialog({ kind: 'help' });
      return true;
    case 'save':
      void save();
      return true;
    case 'deploy':
      void deploy();
      return true;
    case 'undo':
      store.temporal.getState().undo();
      return true;
    case 'redo':
      store.temporal.getState().redo();
      return true;
    case 'copy':
      // Not prevented: the browser's copy event then fills the system clipboard (see onCopy).
      copySelection(store);
      return false;
    case 'cut':
      // Delete after the browser's cut event has copied the selection.
      if (copySelection(store) !== undefined) setTimeout(() => store.getState().deleteSelection(), 0);
      return false;
    case 'paste':
      return false; // handled by the paste event, with a fallback (see below)
    case 'duplicate':
      duplicateSelection(store);
      return true;
    case 'selectAll':
      s.selectAll();
      return true;
    case 'delete':
      s.deleteSelection();
      return true;
    case 'fitView':
      fitView({ duration: 200 });
      return true;
    case 'layout':
      void autoLayout(store, fitView);
      return true;
    case 'zoomIn':
      void rf.zoomIn({ duration: 150 });
      return true;
    case 'zoomOut':
      void rf.zoomOut({ duration: 150 });
      return true;
    case 'group':
      groupSelection(store);
      return true;
    case 'subflow':
      makeSubflow(store);
      return true;
    case 'comment':
      addComment(store, rf, pointer);
      return true;
    case 'escape':
      if (ui.dialog) ui.setDialog(undefined);
      else s.selectOnly([]);
      return true;
  }
}

/** Tracks the pointer over the canvas (in flow coordinates) so that paste lands where the user looks. */
export function useCanvasCommands(store: FlowStore) {
  const rf = useReactFlow<EditorNode>();
  const fitView = useFitFlow(store);
  const pointer = useRef<{ x: number; y: number } | undefined>(undefined);

  useEffect(() => {
    let pasteFallback: ReturnType<typeof setTimeout> | undefined;
    const onKey = (e: KeyboardEvent) => {
      if (useUi.getState().dialog && e.key !== 'Escape') return;
      const command = commandFor(e);
      if (!command) return;
      if (command === 'paste') {
        // Browsers fire a paste event for Ctrl+V; where none comes (no clipboard access), paste the in-memory copy.
        pasteFallback = setTimeout(() => pasteInternal(store, pointer.current), 120);
        return;
      }
      if (runCommand(command, store, rf, fitView, pointer.current)) e.preventDefault();
    };
    const onCopy = (e: ClipboardEvent) => {
      if (isTyping(e) || useUi.getState().dialog) return;
      const text = selectionText(store);
      if (!text || !e.clipboardData) return;
      e.clipboardData.setData('text/plain', text);
      e.preventDefault();
    };
    const onCut = (e: ClipboardEvent) => {
      if (isTyping(e) || useUi.getState().dialog) return;
      onCopy(e);
    };
    const onPaste = (e: ClipboardEvent) => {
      if (isTyping(e) || useUi.getState().dialog) return;
      if (pasteFallback) clearTimeout(pasteFallback);
      const text = e.clipboardData?.getData('text/plain') ?? '';
      e.preventDefault();
      if (pasteText(store, text, pointer.current)) return;
      if (!pasteInternal(store, pointer.current) && text.trim()) {
        useUi
          .getState()
          .notify('info', 'The clipboard holds no Sluice nodes (copy nodes, or a flow or fragment JSON).');
      }
    };
    document.addEventListener('keydown', onKey);
    document.addEventListener('copy', onCopy);
    document.addEventListener('cut', onCut);
    document.addEventListener('paste', onPaste);
    return () => {
      document.removeEventListener('keydown', onKey);
      document.removeEventListener('copy', onCopy);
      document.removeEventListener('cut', onCut);
      document.removeEventListener('paste', onPaste);
      if (pasteFallback) clearTimeout(pasteFallback);
    };
  }, [store, rf, fitView]);

  return useMemo(
    () => ({
      track: (e: ReactMouseEvent) => {
        pointer.current = rf.screenToFlowPosition({ x: e.clientX, y: e.clientY });
      },
      forget: () => {
        pointer.current = undefined;
      },
    }),
    [rf],
  );
}
