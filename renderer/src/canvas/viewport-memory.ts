/**
 * Where the user left each saved flow's view (pan and zoom), so that reopening it shows the same place, as Node-RED's
 * "remember zoom level / scroll position" does. Kept in this browser's localStorage, per flow id, most recent first;
 * a flow never moved opens fitted into view. It also keeps a large flow cheap to open zoomed in: only the nodes in
 * view are drawn (Canvas `onlyRenderVisibleElements`).
 */
import type { Viewport } from '@xyflow/react';

const KEY = 'sluice.viewports';
/** Flows remembered; the oldest is forgotten first. */
const LIMIT = 50;

type Remembered = Record<string, Viewport>;

function readAll(): Remembered {
  try {
    const raw = localStorage.getItem(KEY);
    const parsed: unknown = raw ? JSON.parse(raw) : {};
    return parsed && typeof parsed === 'object' ? (parsed as Remembered) : {};
  } catch {
    // Storage disabled or a value from elsewhere: nothing remembered.
    return {};
  }
}

function valid(v: Viewport | undefined): v is Viewport {
  return v !== undefined && Number.isFinite(v.x) && Number.isFinite(v.y) && Number.isFinite(v.zoom) && v.zoom > 0;
}

export function rememberedViewport(flowId: string | undefined): Viewport | undefined {
  if (flowId === undefined) return undefined;
  const v = readAll()[flowId];
  return valid(v) ? v : undefined;
}

export function rememberViewport(flowId: string | undefined, v: Viewport): void {
  if (flowId === undefined || !valid(v)) return;
  const { [flowId]: _old, ...rest } = readAll();
  // Insertion order is recency: the newest goes last, the oldest beyond LIMIT go.
  const entries = [...Object.entries(rest), [flowId, { x: v.x, y: v.y, zoom: v.zoom }] as const].slice(-LIMIT);
  try {
    localStorage.setItem(KEY, JSON.stringify(Object.fromEntries(entries)));
  } catch {
    // Full or disabled storage: the view is simply not remembered.
  }
}
