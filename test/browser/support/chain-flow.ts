/**
 * Generated large flows for the large-flow journey, its screenshot and the editor benchmark: `chains` generate ->
 * transform -> filter -> debug chains on a grid, five chains to a row (250 chains: 1,000 nodes, 750 edges).
 */
import type { Page } from 'playwright-core';

export const CHAIN_TYPES = ['generate', 'transform', 'filter', 'debug'] as const;

export interface ChainFlowOptions {
  chains: number;
  id: string;
  name: string;
  intervalMs?: number;
  /** Names each debug node `Log <chain>` (the debug panel names a message's node by its name). */
  namedLogs?: boolean;
  /** Names each generate node `Line <chain> sensors`. */
  namedSources?: boolean;
  debugActive?: boolean;
  /** Extra vertical space after every `gapEvery` chains (room for group frames' titles). */
  gapEvery?: number;
}

/** Where node `i` of chain `c` is, in flow coordinates. */
export function chainPosition(c: number, i: number, gapEvery?: number): { x: number; y: number } {
  const gap = gapEvery ? Math.floor(c / gapEvery) * 120 : 0;
  return { x: ((c % 5) * 4 + i) * 240, y: Math.floor(c / 5) * 140 + gap };
}

export function chainFlow(o: ChainFlowOptions): Record<string, unknown> {
  const configs: Record<(typeof CHAIN_TYPES)[number], Record<string, unknown>> = {
    generate: { intervalMs: o.intervalMs ?? 1000, count: 0, topic: 'sim/sensors' },
    transform: { expression: '{"t": payload.temp * 1.8 + 32}' },
    filter: { condition: 'payload.t > 50' },
    debug: o.debugActive === false ? { active: false } : {},
  };
  const nodes: unknown[] = [];
  const edges: unknown[] = [];
  for (let c = 0; c < o.chains; c++) {
    CHAIN_TYPES.forEach((type, i) => {
      const name =
        type === 'debug' && o.namedLogs
          ? `Log ${c}`
          : type === 'generate' && o.namedSources
            ? `Line ${c} sensors`
            : undefined;
      nodes.push({
        id: `c${c}-${type}`,
        type,
        ...(name ? { name } : {}),
        position: chainPosition(c, i, o.gapEvery),
        config: configs[type],
      });
      if (i > 0)
        edges.push({
          source: `c${c}-${CHAIN_TYPES[i - 1]}`,
          sourcePort: 'out',
          target: `c${c}-${type}`,
          targetPort: 'in',
        });
    });
  }
  return { format: 'sluice/flow@1', id: o.id, name: o.name, nodes, edges };
}

/** React Flow's current transform: [x, y, zoom]. */
export async function viewTransform(page: Page): Promise<[number, number, number]> {
  const t = await page.locator('.react-flow__viewport').evaluate((el) => (el as HTMLElement).style.transform);
  const m = /translate\(([-\d.e]+)px,\s*([-\d.e]+)px\)\s*scale\(([\d.e-]+)\)/.exec(t);
  if (!m) throw new Error(`no React Flow transform in "${t}"`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

/** Where flow point `p` is on the screen at the current view. */
export async function screenOf(page: Page, p: { x: number; y: number }): Promise<{ x: number; y: number }> {
  const [tx, ty, z] = await viewTransform(page);
  const pane = await page.locator('.react-flow__pane').boundingBox();
  if (!pane) throw new Error('no canvas pane');
  return { x: pane.x + tx + p.x * z, y: pane.y + ty + p.y * z };
}
