/**
 * What the editor benchmark does in the page: open a flow and wait until it is drawn, zoom with the wheel, and pan by
 * dragging the pane. Every function runs against any build of the editor (the current one or a baseline), using only
 * the DOM React Flow produces, so that builds are compared on the same journey.
 */
import type { BrowserContext, CDPSession, Page } from 'playwright-core';

/**
 * What "drawn" means for one open: at least this many nodes and edges in the DOM (or on the overview canvas, which
 * reports what it drew in data-nodes / data-wires), every node measured; with
 * `positions` (the flow's node positions), also every node in view at the current transform (an editor that draws
 * only what is in view), and with `fitted` a view zoomed out below 1 (the fit after measuring has happened).
 */
export interface DrawnWhen {
  nodes: number;
  edges: number;
  positions?: [number, number][];
  fitted?: boolean;
}

/** The smallest node of the generated flows (a debug node: one port row), flow units. */
const MIN_NODE = { width: 180, height: 72 };

/** Renderer CPU time from Chromium's own counters (CDP Performance.getMetrics), in milliseconds. */
export interface RendererCpu {
  /** The page's main thread: script, style, layout, paint recording. */
  thread: number;
  /** The whole renderer process: the main thread plus raster and compositor threads. */
  process: number;
  script: number;
  layout: number;
  style: number;
}

export interface Opened {
  page: Page;
  cdp: CDPSession;
  /** Milliseconds from navigation start until the flow was drawn, measured by the page itself. */
  ms: number;
  /** CPU the renderer spent from its start (a new tab's renderer starts with the navigation) until then. */
  cpu: RendererCpu;
}

/** The renderer's CPU counters now. Wall-clock time on a loaded machine says how busy it is; these do not. */
export async function rendererCpu(cdp: CDPSession): Promise<RendererCpu> {
  const { metrics } = await cdp.send('Performance.getMetrics');
  const m = new Map(metrics.map((x) => [x.name, x.value]));
  const ms = (name: string) => (m.get(name) ?? Number.NaN) * 1000;
  return {
    thread: ms('ThreadTime'),
    process: ms('ProcessTime'),
    script: ms('ScriptDuration'),
    layout: ms('LayoutDuration'),
    style: ms('RecalcStyleDuration'),
  };
}

export function cpuSince(after: RendererCpu, before: RendererCpu): RendererCpu {
  return {
    thread: after.thread - before.thread,
    process: after.process - before.process,
    script: after.script - before.script,
    layout: after.layout - before.layout,
    style: after.style - before.style,
  };
}

/**
 * Opens `url` in a new tab of `context` (HTTP cache warm, localStorage shared, as a user's second tab would be) and
 * waits, polling every frame, until the flow is drawn. A new tab per open: a `goto` to the same URL with only the
 * hash changed would be a same-document navigation, not an open.
 */
export async function openFlow(context: BrowserContext, url: string, drawn: DrawnWhen): Promise<Opened> {
  const page = await context.newPage();
  // tsx compiles the functions passed to page.evaluate with esbuild's name helper; give the page that helper.
  await page.addInitScript('globalThis.__name = (fn) => fn;');
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });
  await page.goto(url, { waitUntil: 'commit' });
  await page.waitForFunction(
    (want) => {
      const nodes = document.querySelectorAll('.react-flow__node');
      // An editor that draws a zoomed-out large flow on one canvas says on it how many nodes and wires it drew.
      const overview = document.querySelector('[data-testid="overview"]');
      const drawnNodes = overview ? Number(overview.getAttribute('data-nodes') ?? 0) : nodes.length;
      const drawnEdges = overview
        ? Number(overview.getAttribute('data-wires') ?? 0)
        : document.querySelectorAll('.react-flow__edge').length;
      if (drawnNodes < want.nodes) return false;
      if (drawnEdges < want.edges) return false;
      // React Flow keeps a node hidden until it has measured it (or knows its size).
      for (const el of nodes) if ((el as HTMLElement).style.visibility === 'hidden') return false;
      const vp = document.querySelector('.react-flow__viewport') as HTMLElement | null;
      const pane = document.querySelector('.react-flow__pane');
      if (!vp || !pane) return false;
      const m = /translate\(([-\d.e]+)px,\s*([-\d.e]+)px\)\s*scale\(([\d.e-]+)\)/.exec(vp.style.transform);
      if (!m) return false;
      const [tx, ty, z] = [Number(m[1]), Number(m[2]), Number(m[3])];
      if (want.fitted && z >= 1) return false;
      if (want.positions) {
        const r = pane.getBoundingClientRect();
        const [x0, y0, x1, y1] = [-tx / z, -ty / z, (r.width - tx) / z, (r.height - ty) / z];
        let inView = 0;
        for (const [x, y] of want.positions)
          if (x < x1 && x + want.size.width > x0 && y < y1 && y + want.size.height > y0) inView++;
        if (drawnNodes < inView) return false;
      }
      return true;
    },
    { ...drawn, size: MIN_NODE },
    { polling: 'raf', timeout: 120_000 },
  );
  const cpu = await rendererCpu(cdp);
  return { page, cdp, ms: await page.evaluate(() => performance.now()), cpu };
}

/** The viewport's zoom, read from React Flow's transform. */
export async function zoomOf(page: Page): Promise<number> {
  return page.evaluate(() => {
    const t = (document.querySelector('.react-flow__viewport') as HTMLElement).style.transform;
    const m = /scale\(([\d.e-]+)\)/.exec(t);
    return m ? Number(m[1]) : Number.NaN;
  });
}

/** Zooms about the pane's centre to `target` with wheel events (React Flow: factor 2^(-deltaY * 0.002)). */
export async function zoomTo(page: Page, target: number): Promise<number> {
  const box = await page.locator('.react-flow__pane').boundingBox();
  if (!box) throw new Error('no canvas pane');
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  for (let i = 0; i < 6; i++) {
    const z = await zoomOf(page);
    if (Math.abs(Math.log2(target / z)) < 0.05) return z;
    // Big steps in a few events; Chromium passes the delta through unchanged.
    const deltaY = Math.max(-400, Math.min(400, -Math.log2(target / z) / 0.002));
    await page.mouse.wheel(0, deltaY);
    await page.waitForTimeout(150);
  }
  return zoomOf(page);
}

/** Pans by dragging the pane with synthetic mouse events, one move per frame; returns frames per second. */
export async function panFps(page: Page, durationMs: number): Promise<{ fps: number; moved: boolean }> {
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
    return new Promise<{ fps: number; moved: boolean }>((resolve) => {
      let frames = 0;
      let dir = 1;
      let moved = false;
      const start = performance.now();
      const step = (t: number) => {
        frames++;
        if (viewport.style.transform !== before) moved = true;
        if (Math.abs(x - (r.left + r.width / 2)) > r.width / 3) dir = -dir;
        x += 6 * dir;
        window.dispatchEvent(new MouseEvent('mousemove', opts(x)));
        if (t - start < duration) requestAnimationFrame(step);
        else {
          window.dispatchEvent(new MouseEvent('mouseup', opts(x)));
          resolve({ fps: (frames * 1000) / (t - start), moved });
        }
      };
      requestAnimationFrame(step);
    });
  }, durationMs);
}

export interface Pan {
  fps: number;
  /** Renderer main-thread CPU per frame drawn, milliseconds (50 fps leaves 20 ms). */
  cpuPerFrame: number;
}

/** Pans for `durationMs` and fails when the viewport did not move (a broken pan would report a fine frame rate). */
export async function measuredPan(opened: Pick<Opened, 'page' | 'cdp'>, durationMs: number): Promise<Pan> {
  const before = await rendererCpu(opened.cdp);
  const p = await panFps(opened.page, durationMs);
  const cpu = cpuSince(await rendererCpu(opened.cdp), before);
  if (!p.moved) throw new Error('panning did not move the viewport');
  return { fps: p.fps, cpuPerFrame: cpu.thread / ((p.fps * durationMs) / 1000) };
}
