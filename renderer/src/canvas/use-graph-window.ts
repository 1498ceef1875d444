/**
 * Where the window of a large flow is (graph-window.ts), following the view: it moves only when the view gets near its
 * edge or is zoomed well into it, so a pan re-renders the canvas once per view's width travelled, not once a frame.
 */
import { useStoreApi, type Viewport } from '@xyflow/react';
import { useEffect, useState } from 'react';
import { type Rect, visibleRect, windowAround, windowServes } from './graph-window.js';

/**
 * `initial`: the viewport the canvas opens with. Until React Flow has set up its pane (no size, no viewport yet) the
 * window is taken around it, with the browser window's size for the pane's (larger, so nothing in view is missed).
 */
export function useGraphWindow(enabled: boolean, initial: Viewport | undefined): Rect | undefined {
  const view = useStoreApi();
  const next = (prev: Rect | undefined): Rect => {
    const { transform, width, height, panZoom } = view.getState();
    const ready = panZoom !== null && width > 0 && height > 0;
    const visible = ready
      ? visibleRect(transform, width, height)
      : visibleRect(initial ? [initial.x, initial.y, initial.zoom] : transform, window.innerWidth, window.innerHeight);
    return prev && windowServes(prev, visible) ? prev : windowAround(visible);
  };
  // Taken at once on the first render, so that a large flow never reaches React Flow whole.
  const [win, setWin] = useState<Rect | undefined>(() => (enabled ? next(undefined) : undefined));
  // biome-ignore lint/correctness/useExhaustiveDependencies: next reads only the view store and `initial`
  useEffect(() => {
    if (!enabled) {
      setWin(undefined);
      return;
    }
    const update = () => setWin(next);
    update();
    return view.subscribe(update);
  }, [enabled, initial, view]);
  // Switched on later (zooming in out of the overview, hiding the minimap): the window is where the view is now.
  return enabled ? (win ?? next(undefined)) : undefined;
}
