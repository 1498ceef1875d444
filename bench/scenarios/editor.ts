/**
 * The editor with generated large flows in headless Chromium (Debian's /usr/bin/chromium) against the real server:
 * - 1,000 nodes, all in view (the editor fits an opened flow): time from navigation start until every node and edge
 *   is drawn, and the frame rate while panning it (requestAnimationFrame callbacks over ~2 s of mouse-driven panning
 *   through React Flow's own pan handler);
 * - 5,000 nodes zoomed in (zoom 1, where nodes are read and edited): the first open (fitted), then zoomed in and
 *   opened again in a new tab (the editor opens a flow where the user left it), and the frame rate panning at zoom 1.
 * Beside them the machine's JSON floor: CPU time for Node to JSON.stringify + JSON.parse the 1,000-node document, so
 * that figures from machines of different speeds can be compared (divide by it).
 *
 * `SLUICE_BENCH_EDITOR_BASELINE=<dir>` also measures an editor built elsewhere (e.g. from main, see the README),
 * interleaved round by round with this one, so that both see the same machine load; with
 * `SLUICE_BENCH_EDITOR_BASELINE_SERVER=<checkout>` that build is served by that checkout's server (the flow is read from
 * the server on every open, so a change there shows too). `SLUICE_BENCH_EDITOR_ROUNDS`
 * (default 3) rounds. Standalone: `node --import tsx bench/scenarios/editor.ts`.
 */
import { existsSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { BrowserContext } from 'playwright-core';
import { CLIENT_HEADER } from '../../src/server/security.js';
import { chainFlow } from '../../test/browser/support/chain-flow.js';
import { CHROMIUM, launchChromium } from '../../test/browser/support/chromium.js';
import { type EditorServer, startEditorServer } from '../../test/browser/support/editor-server.js';
import { measuredPan, openFlow, type Pan, type RendererCpu, zoomOf, zoomTo } from '../support/editor-pages.js';
import { type BenchResult, median, printResults } from '../types.js';

/** 1,000 nodes and 750 edges: 250 generate -> transform -> filter -> debug chains on a grid, five chains to a row. */
export function generatedFlow(chains = 250, id = 'bench-1000'): Record<string, unknown> {
  return chainFlow({ chains, id, name: `Generated: ${(chains * 4).toLocaleString('en-US')} nodes` });
}

/** Median CPU milliseconds for JSON.stringify + JSON.parse of `doc` in this Node process (the machine's floor). */
export function jsonFloorMs(doc: unknown, reps = 25): number {
  const samples: number[] = [];
  for (let i = 0; i < reps + 5; i++) {
    const t0 = process.cpuUsage();
    JSON.parse(JSON.stringify(doc));
    const t = process.cpuUsage(t0);
    if (i >= 5) samples.push((t.user + t.system) / 1000);
  }
  return median(samples);
}

interface Build {
  label: string;
  srv: EditorServer;
  context: BrowserContext;
  open1000: number[];
  open1000Cpu: RendererCpu[];
  pan1000: Pan[];
  first5000: number[];
  first5000Cpu: RendererCpu[];
  open5000: number[];
  open5000Cpu: RendererCpu[];
  pan5000: Pan[];
}

async function storeFlow(srv: EditorServer, flow: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${srv.url}/api/flows`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [CLIENT_HEADER]: 'bench' },
    body: JSON.stringify({ flow }),
  });
  if (!res.ok) throw new Error(`cannot store the generated flow: ${res.status} ${await res.text()}`);
}

const FLOW_5000 = generatedFlow(1250, 'bench-5000');
const POSITIONS_5000 = (FLOW_5000.nodes as { position: { x: number; y: number } }[]).map(
  (n) => [n.position.x, n.position.y] as [number, number],
);
const PAN_MS = 2000;
const ZOOMED = 1;

/** One round for one build: the 1,000-node journey, then the 5,000-node one. */
async function round(b: Build): Promise<void> {
  // All 1,000 in view: a fresh profile state, so that nothing remembered from the last round changes the view.
  const reset = await b.context.newPage();
  await reset.goto(`${b.srv.url}/favicon.svg`);
  await reset.evaluate(() => localStorage.clear());
  await reset.close();

  const a = await openFlow(b.context, `${b.srv.url}/?flow=bench-1000`, { nodes: 1000, edges: 750 });
  b.open1000.push(a.ms);
  b.open1000Cpu.push(a.cpu);
  await a.page.waitForTimeout(500);
  b.pan1000.push(await measuredPan(a, PAN_MS));
  await a.page.close();

  // 5,000 nodes: first open (fitted), zoom in, open again in a new tab, pan there at zoom 1.
  const first = await openFlow(b.context, `${b.srv.url}/?flow=bench-5000`, {
    nodes: 1,
    edges: 1,
    positions: POSITIONS_5000,
    fitted: true,
  });
  b.first5000.push(first.ms);
  b.first5000Cpu.push(first.cpu);
  await first.page.waitForTimeout(300);
  await zoomTo(first.page, ZOOMED);
  // The editor remembers the view a moment after it stops moving.
  await first.page.waitForTimeout(1000);
  await first.page.close();
  const again = await openFlow(b.context, `${b.srv.url}/?flow=bench-5000`, {
    nodes: 1,
    edges: 1,
    positions: POSITIONS_5000,
  });
  b.open5000.push(again.ms);
  b.open5000Cpu.push(again.cpu);
  await again.page.waitForTimeout(500);
  // An editor that does not remember the view opened it fitted: zoom in as the user would.
  if (Math.abs(Math.log2((await zoomOf(again.page)) / ZOOMED)) > 0.05) await zoomTo(again.page, ZOOMED);
  await again.page.waitForTimeout(300);
  b.pan5000.push(await measuredPan(again, PAN_MS));
  await again.page.close();
}

/** The server that serves a build: this tree's, or the one in `root` (another checkout, to compare servers too). */
async function serverFrom(root: string | undefined): Promise<typeof startEditorServer> {
  if (!root) return startEditorServer;
  const other = (await import(`${root}/test/browser/support/editor-server.ts`)) as {
    startEditorServer: typeof startEditorServer;
  };
  return other.startEditorServer;
}

async function startBuild(label: string, staticDir?: string, serverRoot?: string): Promise<Build> {
  const srv = await (await serverFrom(serverRoot))(staticDir ? { staticDir } : {});
  await storeFlow(srv, generatedFlow(250, 'bench-1000'));
  await storeFlow(srv, FLOW_5000);
  const browser = await launchChromium({ width: 1440, height: 900 });
  const close = browser.close;
  const closeAll = async () => {
    await close();
    await srv.close();
  };
  const build: Build = {
    label,
    srv: { ...srv, close: closeAll },
    context: browser.context,
    open1000: [],
    open1000Cpu: [],
    pan1000: [],
    first5000: [],
    first5000Cpu: [],
    open5000: [],
    open5000Cpu: [],
    pan5000: [],
  };
  return build;
}

const ms = (xs: number[]) => xs.map((x) => Math.round(x).toLocaleString('en-US')).join(', ');
const cpuNote = (xs: RendererCpu[]) => {
  const m = (k: keyof RendererCpu) => Math.round(median(xs.map((x) => x[k]))).toLocaleString('en-US');
  return `renderer CPU: main thread ${m('thread')} ms (script ${m('script')}, style ${m('style')}, layout ${m('layout')}), process ${m('process')} ms`;
};

function figures(b: Build, rounds: number, suffix: string): BenchResult[] {
  const of = `median of ${rounds}`;
  const fps = (xs: Pan[]) => median(xs.map((x) => x.fps));
  const perFrame = (xs: Pan[]) => median(xs.map((x) => x.cpuPerFrame));
  return [
    {
      name: `editor.open.1000-nodes${suffix}`,
      value: median(b.open1000),
      unit: 'ms',
      note: `navigation start until all 1,000 nodes and 750 edges drawn, new tab (${of}: ${ms(b.open1000)}); goal < 1,000`,
    },
    {
      name: `editor.open.1000-nodes.cpu${suffix}`,
      value: median(b.open1000Cpu.map((x) => x.thread)),
      unit: 'ms',
      note: cpuNote(b.open1000Cpu),
    },
    {
      name: `editor.pan.1000-nodes${suffix}`,
      value: fps(b.pan1000),
      unit: 'fps',
      note: `rAF rate over 2 s of panning, all nodes in view (${of}: ${b.pan1000.map((x) => x.fps.toFixed(0)).join(', ')}); goal >= 50`,
    },
    {
      name: `editor.pan.1000-nodes.cpu-per-frame${suffix}`,
      value: perFrame(b.pan1000),
      unit: 'ms',
      note: 'renderer main-thread CPU per frame while panning (50 fps leaves 20 ms)',
    },
    {
      name: `editor.open.5000-nodes.first${suffix}`,
      value: median(b.first5000),
      unit: 'ms',
      note: `first open of the 5,000-node flow, fitted into view (${of}: ${ms(b.first5000)}); ${cpuNote(b.first5000Cpu)}`,
    },
    {
      name: `editor.open.5000-nodes.zoomed${suffix}`,
      value: median(b.open5000),
      unit: 'ms',
      note: `open again after zooming in to 1, until the nodes in view are drawn (${of}: ${ms(b.open5000)}); goal < 1,000`,
    },
    {
      name: `editor.open.5000-nodes.zoomed.cpu${suffix}`,
      value: median(b.open5000Cpu.map((x) => x.thread)),
      unit: 'ms',
      note: cpuNote(b.open5000Cpu),
    },
    {
      name: `editor.pan.5000-nodes.zoomed${suffix}`,
      value: fps(b.pan5000),
      unit: 'fps',
      note: `rAF rate over 2 s of panning at zoom 1 (${of}: ${b.pan5000.map((x) => x.fps.toFixed(0)).join(', ')}); goal >= 50`,
    },
    {
      name: `editor.pan.5000-nodes.zoomed.cpu-per-frame${suffix}`,
      value: perFrame(b.pan5000),
      unit: 'ms',
      note: 'renderer main-thread CPU per frame while panning (50 fps leaves 20 ms)',
    },
  ];
}

export async function run(): Promise<BenchResult[]> {
  if (!existsSync(CHROMIUM)) throw new Error(`chromium not found at ${CHROMIUM} (apt-get install chromium)`);
  const rounds = Number(process.env.SLUICE_BENCH_EDITOR_ROUNDS ?? 3);
  const baselineDir = process.env.SLUICE_BENCH_EDITOR_BASELINE;
  const load0 = loadavg()[0];
  const floor1000 = jsonFloorMs(generatedFlow(250));
  const builds = [await startBuild('current')];
  if (baselineDir)
    builds.push(await startBuild('baseline', baselineDir, process.env.SLUICE_BENCH_EDITOR_BASELINE_SERVER));
  try {
    for (let r = 0; r < rounds; r++) {
      // Alternate which build goes first, so that neither always meets the machine right after the other.
      const order = r % 2 ? [...builds].reverse() : builds;
      for (const b of order) await round(b);
    }
  } finally {
    for (const b of builds) await b.srv.close();
  }
  const floorAfter = jsonFloorMs(generatedFlow(250));
  const floor = median([floor1000, floorAfter]);
  const rows = figures(builds[0], rounds, '');
  if (builds[1]) {
    rows.push(...figures(builds[1], rounds, '.baseline'));
    const cur = builds[0];
    const base = builds[1];
    const ratio = (name: string, a: number, b: number): BenchResult => ({
      name: `ratio ${name} current / baseline`,
      value: (a / b) * 100,
      unit: '%',
    });
    const thread = (xs: RendererCpu[]) => median(xs.map((x) => x.thread));
    const fps = (xs: Pan[]) => median(xs.map((x) => x.fps));
    const perFrame = (xs: Pan[]) => median(xs.map((x) => x.cpuPerFrame));
    rows.push(
      ratio('open 1,000 (wall)', median(cur.open1000), median(base.open1000)),
      ratio('open 1,000 (main-thread CPU)', thread(cur.open1000Cpu), thread(base.open1000Cpu)),
      ratio('pan 1,000 (fps)', fps(cur.pan1000), fps(base.pan1000)),
      ratio('pan 1,000 (CPU per frame)', perFrame(cur.pan1000), perFrame(base.pan1000)),
      ratio('open 5,000 zoomed (wall)', median(cur.open5000), median(base.open5000)),
      ratio('open 5,000 zoomed (main-thread CPU)', thread(cur.open5000Cpu), thread(base.open5000Cpu)),
      ratio('pan 5,000 zoomed (fps)', fps(cur.pan5000), fps(base.pan5000)),
      ratio('pan 5,000 zoomed (CPU per frame)', perFrame(cur.pan5000), perFrame(base.pan5000)),
    );
  }
  rows.push(
    {
      name: 'machine JSON floor (1,000-node document)',
      value: floor,
      unit: 'ms',
      note: `CPU time of JSON.stringify + JSON.parse in Node, median of 25 (before ${floor1000.toFixed(2)}, after ${floorAfter.toFixed(2)}); open 1,000 = ${(median(builds[0].open1000) / floor).toFixed(0)}x floor`,
    },
    {
      name: 'machine load (1-min load average, end)',
      value: loadavg()[0],
      unit: '',
      note: `${load0.toFixed(1)} at the start; ${availableParallelism()} cores`,
    },
  );
  return rows;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) printResults('editor', await run());
