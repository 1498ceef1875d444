/**
 * Issue 13, subflows one level down: a user opens a subflow and tries a sample message inside it (which nodes it
 * passed, where it was dropped, which output it reached; none of it left on the flow's canvas), and a user makes a
 * subflow of two nodes inside an open subflow, goes back to the flow, deploys and sees messages pass both levels.
 * Headless Chromium against the real server.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { chromiumMissing } from './support/chromium.js';
import { openStoredFlow, selectNode, showBottom } from './support/editor-page.js';
import { editorJourney, storeFlow } from './support/journey.js';

const skip = chromiumMissing();

const edge = (source: string, target: string, sourcePort = 'out', targetPort = 'in') => ({
  source,
  sourcePort,
  target,
  targetPort,
});

/** gen -> [subflow "Scale": Times (x factor, default 2) -> Big only (> 10) -> Out "big"] -> log. */
const scaleFlow = {
  format: 'sluice/flow@1',
  id: 'scale-try',
  name: 'Scale try',
  subflows: [
    {
      id: 'scale',
      name: 'Scale',
      outputs: ['big'],
      parameters: { factor: { type: 'number', title: 'Factor', default: 2 } },
      nodes: [
        {
          id: 'mul',
          type: 'transform',
          name: 'Times',
          position: { x: 0, y: 0 },
          config: { expression: 'payload * ${param:factor}' },
        },
        {
          id: 'keep',
          type: 'filter',
          name: 'Big only',
          position: { x: 260, y: 0 },
          config: { condition: 'payload > 10' },
        },
      ],
      edges: [edge('$in', 'mul', 'in'), edge('mul', 'keep'), edge('keep', '$out', 'out', 'big')],
    },
  ],
  nodes: [
    { id: 'gen', type: 'generate', position: { x: 0, y: 0 }, config: { intervalMs: 1000, payload: '7' } },
    { id: 'use', type: 'subflow:scale', position: { x: 260, y: 0 }, config: { factor: 5 } },
    { id: 'log', type: 'debug', position: { x: 520, y: 0 }, config: {} },
  ],
  edges: [edge('gen', 'use'), edge('use', 'log', 'big')],
};

/** gen -> [subflow "Pipe": Mark A -> Mark B -> Mark C] -> log, each mark adding a field. */
const pipeFlow = {
  format: 'sluice/flow@1',
  id: 'pipe-nest',
  name: 'Pipe nest',
  subflows: [
    {
      id: 'pipe',
      name: 'Pipe',
      nodes: [
        {
          id: 'a',
          type: 'transform',
          name: 'Mark A',
          position: { x: 0, y: 0 },
          config: { expression: '$merge([payload, {"outerA": true}])' },
        },
        {
          id: 'b',
          type: 'transform',
          name: 'Mark B',
          position: { x: 260, y: 0 },
          config: { expression: '$merge([payload, {"innerB": true}])' },
        },
        {
          id: 'c',
          type: 'transform',
          name: 'Mark C',
          position: { x: 520, y: 0 },
          config: { expression: '$merge([payload, {"innerC": true}])' },
        },
      ],
      edges: [edge('$in', 'a', 'in'), edge('a', 'b'), edge('b', 'c'), edge('c', '$out', 'out', 'out')],
    },
  ],
  nodes: [
    { id: 'gen', type: 'generate', position: { x: 0, y: 0 }, config: { intervalMs: 200, payload: '{"n": $seq}' } },
    { id: 'p', type: 'subflow:pipe', position: { x: 260, y: 0 }, config: {} },
    { id: 'log', type: 'debug', position: { x: 520, y: 0 }, config: {} },
  ],
  edges: [edge('gen', 'p'), edge('p', 'log')],
};

function header(page: Page, id: string) {
  return page.locator(`[data-testid="node-${id}"] [class*="header"]`);
}

async function send(page: Page, payload: string): Promise<void> {
  await page.getByLabel('Sample payload').fill(payload);
  await page.locator('[data-testid="try-send"]').click();
  await expect.poll(() => page.locator('[data-testid="try-send"]').textContent(), { timeout: 15_000 }).toMatch(/Send/);
}

describe.skipIf(skip !== undefined)('subflows inside subflows, and trying one', () => {
  const j = editorJourney({
    open: false,
    prepare: async (srv) => {
      await storeFlow(srv, scaleFlow);
      await storeFlow(srv, pipeFlow);
    },
  });

  it('a user opens a subflow, tries a sample message on its first node and sees which nodes it passed and that it reached the output', async () => {
    const page = j.page;
    await openStoredFlow(page, j.srv.url, 'scale-try');
    await header(page, 'use').dblclick();
    await expect.poll(() => page.getByTestId('subflow-bar').count()).toBe(1);

    // The first node inside, a sample, Try it: with the subflow's default factor 2, 6 becomes 12 and gets through.
    await selectNode(page, 'mul');
    await showBottom(page, 'Try it');
    await expect.poll(() => page.getByTestId('try-panel').textContent()).toMatch(/parameters’ defaults/);
    expect(await page.getByLabel('Node to try').inputValue()).toBe('mul');
    await send(page, '6');
    await expect
      .poll(() => page.getByTestId('try-reached').textContent(), { timeout: 15_000 })
      .toBe('Reached the subflow\'s output "big"');
    expect(await page.getByTestId('try-note').textContent()).toBe('Parameters: Factor 2 (its default)');
    expect(await page.getByTestId('tried-mul').textContent()).toBe('1 → out');
    expect(await page.getByTestId('tried-keep').textContent()).toBe('1 → out');
    expect(await page.getByTestId('tried-$out').textContent()).toBe('reached big');
    expect(await page.getByTestId('try-step').allTextContents()).toEqual([
      expect.stringMatching(/Times.*→ out.*12/),
      expect.stringMatching(/Big only.*→ out.*12/),
    ]);

    // A small one is dropped by the filter, and says so.
    await send(page, '3');
    await expect
      .poll(() => page.getByTestId('try-dropped').textContent(), { timeout: 15_000 })
      .toMatch(/Dropped by Filter "Big only"/);
    expect(await page.getByTestId('tried-keep').textContent()).toBe('dropped here');
    expect(await page.getByTestId('try-reached').textContent()).toBe('Reached no output of the subflow');
    expect(await page.getByTestId('tried-$out').count()).toBe(0);

    // Through In, as the subflow's input would take it.
    await page.getByLabel('Node to try').selectOption({ label: 'In › in' });
    await send(page, '8');
    await expect.poll(() => page.getByTestId('tried-$in').textContent(), { timeout: 15_000 }).toBe('1 → in');
    await expect.poll(() => page.getByTestId('tried-$out').textContent()).toBe('reached big');

    // Back on the flow: none of it on the flow's canvas or in its Try panel.
    await page.getByTestId('back-to-flow').click();
    await expect.poll(() => page.getByTestId('subflow-bar').count()).toBe(0);
    expect(await page.locator('[data-testid^="tried-"]').count()).toBe(0);
    expect(await page.getByTestId('try-panel').textContent()).toMatch(/Pick a node/);
    // Opened again, the subflow still shows its last run.
    await header(page, 'use').dblclick();
    await expect.poll(() => page.getByTestId('tried-$in').count()).toBe(1);
    await page.getByTestId('back-to-flow').click();
    expect(j.pageErrors).toEqual([]);
  }, 120_000);

  it('a user selects two nodes inside an open subflow, makes a subflow of them, goes back to the flow, deploys, and messages flow through both levels', async () => {
    const page = j.page;
    await openStoredFlow(page, j.srv.url, 'pipe-nest');
    await header(page, 'p').dblclick();
    await expect.poll(() => page.getByTestId('subflow-bar').count()).toBe(1);

    await header(page, 'b').click();
    await header(page, 'c').click({ modifiers: ['Control'] });
    await page.getByTestId('panel-make-subflow').click();
    const inner = 'subflow-1-1';
    await expect.poll(() => page.getByTestId(`node-${inner}`).count()).toBe(1);
    expect(await page.getByTestId('node-b').count()).toBe(0);
    // Wired where the two were: from Mark A into it, from it into Out.
    await expect.poll(() => page.locator(`[data-testid="rf__edge-a.out->${inner}.in"]`).count()).toBe(1);
    expect(await page.locator(`[data-testid="rf__edge-${inner}.out->$out.out"]`).count()).toBe(1);
    // A subflow of the flow: the palette lists it; not "Pipe" itself, which would contain itself.
    await expect.poll(() => page.getByTestId('palette-subflow:subflow-1').count()).toBe(1);
    expect(await page.getByTestId('palette-subflow:pipe').count()).toBe(0);

    // One step: Ctrl+Z takes it back, Ctrl+Y makes it again.
    await page.locator('.react-flow__pane').click({ position: { x: 30, y: 400 } });
    await page.keyboard.press('Control+Z');
    await expect.poll(() => page.getByTestId('node-b').count()).toBe(1);
    expect(await page.getByTestId('palette-subflow:subflow-1').count()).toBe(0);
    await page.keyboard.press('Control+Shift+Z');
    await expect.poll(() => page.getByTestId(`node-${inner}`).count()).toBe(1);

    // The new subflow opens on its own canvas with the two nodes.
    await header(page, inner).dblclick();
    await expect.poll(() => page.getByTestId('node-b').count()).toBe(1);
    expect(await page.getByTestId('node-c').count()).toBe(1);

    // Back to the flow; deploy: messages pass Mark A (outer), Mark B and Mark C (inner).
    await page.getByTestId('back-to-flow').click();
    await expect.poll(() => page.getByTestId('node-p').count()).toBe(1);
    await page.locator('[data-testid="deploy"]').click();
    await expect
      .poll(() => page.locator('[data-testid="runtime-state"]').textContent(), { timeout: 20_000 })
      .toContain('Running this flow');
    await showBottom(page, 'Debug');
    await expect
      .poll(() => page.locator('[data-testid="debug-entry"]').first().textContent(), { timeout: 20_000 })
      .toMatch(/innerC/);
    const text = await page.locator('[data-testid="debug-entry"]').first().textContent();
    expect(text).toMatch(/outerA/);
    expect(text).toMatch(/innerB/);

    // Saved as written: the new subflow in the flow's list, used inside Pipe.
    await page.keyboard.press('Control+S');
    await expect
      .poll(async () => {
        const r = await fetch(`${j.srv.url}/api/flows/pipe-nest`);
        const { flow } = (await r.json()) as { flow: typeof pipeFlow };
        return flow.subflows.map((s) => `${s.id}:${s.nodes.map((n) => n.id).join(',')}`);
      })
      .toEqual(['pipe:a,subflow-1-1', 'subflow-1:b,c']);
    expect(j.pageErrors).toEqual([]);
  }, 180_000);
});
