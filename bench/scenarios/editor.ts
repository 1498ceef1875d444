/**
 * The editor with a generated 1,000-node flow in headless Chromium (Debian's /usr/bin/chromium) against the real
 * server: how long until every node is rendered after opening it, and the frame rate while panning it (requestAnimationFrame
 * callbacks counted over ~2 s of mouse-driven panning through React Flow's own pan handler).
 * Standalone: `node --import tsx bench/scenarios/editor.ts`.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { CHROMIUM, launchChromium } from '../../test/browser/support/chromium.js';
import { startEditorServer } from '../../test/browser/support/editor-server.js';
import { type BenchResult, median, printResults } from '../types.js';

const CHAINS = 250; // generate -> transform -> filter -> debug, 4 nodes each

/** 1,000 nodes and 750 edges: 250 four-node chains on a grid, five chains to a row. */
export function generatedFlow(chains = CHAINS): Record<string, unknown> {
  const nodes: unknown[] = [];
  const edges: unknown[] = [];
  const types = [
    { type: 'generate', config: { intervalMs: 1000, count: 0, topic: 'sim/sensors' } },
    { type: 'transform', config: { expression: '{"t": payload.temp * 1.8 + 32}' } },
    { type: 'filter', config: { condition: 'payload.t > 50' } },
    { type: 'debug', config: {} },
  ];
  for (let c = 0; c < chains; c++) {
    const row = Math.floor(c / 5);
    const col = c % 5;
    types.forEach((t, i) => {
      nodes.push({
        id: `c${c}-${t.type}`,
        type: t.type,
        position: { x: (col * 4 + i) * 240, y: row * 140 },
        config: t.config,
      });
      if (i > 0)
        edges.push({
          source: `c${c}-${types[i - 1].type}`,
          sourcePort: 'out',
          target: `c${c}-${t.type}`,
          targetPort: 'in',
        });
    });
  }
  return { format: 'sluice/flow@1', id: 'bench-1000', name: 'Generated: 1,000 nodes', nodes, edges };
}

/** Navigates and waits (polling every frame) until every node is in the DOM and measured (visible). */
async function openAndTime(page: Page, url: string, count: number): Promise<number> {
  await page.goto(url, { waitUntil: 'commit' });
  await page.waitForFunction(
    (n) => {
      const nodes = document.querySelectorAll('.react-flow__node');
      if (nodes.length < n) return false;
      // React Flow keeps a node hidden until it has measured it.
      for (const el of nodes) if ((el as HTMLElement).style.visibility === 'hidden') return false;
      return true;
    },
    count,
    { polling: 'raf', timeout: 60_000 },
  );
  // Milliseconds since navigation start, measured by the page itself.
  return page.evaluate(() => performance.now());
}

/** Pans by dragging the pane with synthetic mouse events, one move per frame; returns frames per second. */
async function panFps(page: Page, durationMs: number): Promise<{ fps: number; moved: number }> {
  return page.evaluate(async (duration) => {
    const pane = document.querySelector('.react-flow__pane') as HTMLElement;
    const viewport = document.querySelector('.react-flow__viewport') as HTMLElement;
    const before = viewport.style.transform;
    const r = pane.getBoundingClientRect();
    let x = r.left + r.width / 2;
    const y = r.top + r.height / 2;
    const opts = (cx: number) => ({
      clientX: cx,
      clientY: y,
      bubbles: true,
      cancelable: true,
      button: 0,
      buttons: 1,
      view: window,
    });
    pane.dispatchEvent(new MouseEvent('mousedown', opts(x)));
    return new Promise<{ fps: number; moved: number }>((resolve) => {
      let frames = 0;
      let dir = 1;
      const start = performance.now();
      const step = (t: number) => {
        frames++;
        if (Math.abs(x - (r.left + r.width / 2)) > r.width / 3) dir = -dir;
        x += 6 * dir;
        window.dispatchEvent(new MouseEvent('mousemove', opts(x)));
        if (t - start < duration) requestAnimationFrame(step);
        else {
          window.dispatchEvent(new MouseEvent('mouseup', opts(x)));
          const moved = viewport.style.transform !== before ? 1 : 0;
          resolve({ fps: (frames * 1000) / (t - start), moved });
        }
      };
      requestAnimationFrame(step);
    });
  }, durationMs);
}

export async function run(): Promise<BenchResult[]> {
  if (!existsSync(CHROMIUM)) throw new Error(`chromium not found at ${CHROMIUM} (apt-get install chromium)`);
  const srv = await startEditorServer();
  const browser = await launchChromium({ width: 1440, height: 900 });
  try {
    const flow = generatedFlow();
    const res = await fetch(`${srv.url}/api/flows`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ flow }),
    });
    if (!res.ok) throw new Error(`cannot store the generated flow: ${res.status} ${await res.text()}`);
    const page = await browser.context.newPage();
    // tsx compiles the functions passed to page.evaluate with esbuild's name helper; give the page that helper.
    await page.addInitScript('globalThis.__name = (fn) => fn;');
    const url = `${srv.url}/#flow=bench-1000`;
    const cold = await openAndTime(page, url, 1000);
    const warm: number[] = [];
    for (let i = 0; i < 3; i++) warm.push(await openAndTime(page, url, 1000));
    await page.waitForTimeout(500);
    const pans: number[] = [];
    for (let i = 0; i < 3; i++) {
      const p = await panFps(page, 2000);
      if (!p.moved) throw new Error('panning did not move the viewport');
      pans.push(p.fps);
    }
    return [
      {
        name: 'editor.open.1000-nodes.cold',
        value: cold,
        unit: 'ms',
        note: 'navigation start until all 1,000 nodes rendered, first load',
      },
      {
        name: 'editor.open.1000-nodes',
        value: median(warm),
        unit: 'ms',
        note: 'same, reload (median of 3); target < 2,000',
      },
      {
        name: 'editor.pan.1000-nodes',
        value: median(pans),
        unit: 'fps',
        note: 'rAF rate over 2 s of panning, all nodes in view (median of 3); target >= 30',
      },
    ];
  } finally {
    await browser.close();
    await srv.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) printResults('editor', await run());
