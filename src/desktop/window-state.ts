/** The main window's size, position and maximised state, remembered between runs. */
import { readFileSync, writeFileSync } from 'node:fs';

export interface WindowBounds {
  x?: number;
  y?: number;
  width: number;
  height: number;
  maximized: boolean;
}

export const DEFAULT_BOUNDS: WindowBounds = { width: 1400, height: 900, maximized: false };

export function loadWindowState(file: string): WindowBounds {
  try {
    const s = JSON.parse(readFileSync(file, 'utf8')) as Partial<WindowBounds>;
    const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? Math.round(v) : undefined);
    const width = num(s.width);
    const height = num(s.height);
    if (!width || !height || width < 400 || height < 300) return DEFAULT_BOUNDS;
    const x = num(s.x);
    const y = num(s.y);
    return { ...(x === undefined || y === undefined ? {} : { x, y }), width, height, maximized: s.maximized === true };
  } catch {
    return DEFAULT_BOUNDS;
  }
}

export function saveWindowState(file: string, bounds: WindowBounds): void {
  try {
    writeFileSync(file, JSON.stringify(bounds));
  } catch {
    // not worth failing a close over
  }
}
