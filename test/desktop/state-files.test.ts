/** What the desktop shell keeps between runs: window size and position, recent files. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecentFiles } from '../../src/desktop/recent.js';
import { DEFAULT_BOUNDS, loadWindowState, saveWindowState } from '../../src/desktop/window-state.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-desktop-state-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('window state', () => {
  it('is remembered, and a missing, unreadable or absurd file gives the default', async () => {
    const file = join(dir, 'window-state.json');
    expect(loadWindowState(file)).toEqual(DEFAULT_BOUNDS);
    saveWindowState(file, { x: 12, y: 34, width: 1300, height: 850, maximized: true });
    expect(loadWindowState(file)).toEqual({ x: 12, y: 34, width: 1300, height: 850, maximized: true });
    await writeFile(file, '{ torn');
    expect(loadWindowState(file)).toEqual(DEFAULT_BOUNDS);
    await writeFile(file, JSON.stringify({ width: 10, height: 10 }));
    expect(loadWindowState(file)).toEqual(DEFAULT_BOUNDS);
    await writeFile(file, JSON.stringify({ width: 1000.4, height: 700 }));
    expect(loadWindowState(file)).toEqual({ width: 1000, height: 700, maximized: false });
  });
});

describe('recent files', () => {
  it('keeps the last ten, newest first, without repeats, across runs', async () => {
    const file = join(dir, 'recent.json');
    const recent = new RecentFiles(file);
    for (let i = 0; i < 12; i++) await recent.add(`/flows/f${i}.json`);
    await recent.add('/flows/f5.json');
    const again = new RecentFiles(file);
    expect(again.paths()).toEqual([
      '/flows/f5.json',
      '/flows/f11.json',
      '/flows/f10.json',
      '/flows/f9.json',
      '/flows/f8.json',
      '/flows/f7.json',
      '/flows/f6.json',
      '/flows/f4.json',
      '/flows/f3.json',
      '/flows/f2.json',
    ]);
    await again.clear();
    expect(new RecentFiles(file).paths()).toEqual([]);
  });
});
