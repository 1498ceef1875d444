/**
 * Issue 13, "Organise: subflows": a user coming from Node-RED builds generate -> tag -> mark -> debug, selects the
 * two middle nodes and makes a subflow of them, finds one node with their ports wired where they were and the
 * subflow in the palette, opens it, names it, gives it a parameter read inside as ${param:NAME}, sees a mistake
 * inside it on the use in the subflow's words, sets the parameter on the use, deploys and sees the messages come
 * through it in the debug panel, saves, reloads and finds it all; the shipped example opens with its ports. Headless
 * Chromium against the real server.
 */
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { FlowDocument } from '../../src/flow/index.js';
import { chromiumMissing } from './support/chromium.js';
import {
  connect,
  counter,
  dragFromPalette,
  handle,
  openEditor,
  selectNode,
  setExpression,
} from './support/editor-page.js';
import { editorJourney } from './support/journey.js';

const skip = chromiumMissing();

async function header(page: Page, id: string) {
  return page.locator(`[data-testid="node-${id}"] [class*="header"]`);
}

async function savedFlows(url: string): Promise<FlowDocument[]> {
  const list = (await (await fetch(`${url}/api/flows`)).json()) as Array<{ id: string }>;
  return Promise.all(
    list.map(async (f) => ((await (await fetch(`${url}/api/flows/${f.id}`)).json()) as { flow: FlowDocument }).flow),
  );
}

describe.skipIf(skip !== undefined)('subflows in the editor', () => {
  const j = editorJourney();

  it('a user makes a subflow of two nodes, edits it, sets its parameter, deploys, saves and reloads', async () => {
    const gen = await dragFromPalette(j.page, 'generate', 100, 200);
    const tag = await dragFromPalette(j.page, 'transform', 330, 200);
    const mark = await dragFromPalette(j.page, 'transform', 560, 200);
    const log = await dragFromPalette(j.page, 'debug', 560, 380);
    await connect(j.page, gen, 'out', tag);
    await connect(j.page, tag, 'out', mark);
    await connect(j.page, mark, 'out', log);
    await selectNode(j.page, gen);
    await j.page.locator('[data-field="cfg-generate-1_intervalMs"] input').first().fill('200');

    // Select the two transforms (click, Ctrl+click) and make a subflow from the panel.
    await (await header(j.page, tag)).click();
    await (await header(j.page, mark)).click({ modifiers: ['Control'] });
    await j.page.getByTestId('panel-make-subflow').click();
    const use = 'subflow-1-1';
    await expect.poll(() => j.page.getByTestId(`node-${use}`).count()).toBe(1);
    expect(await j.page.getByTestId(`node-${tag}`).count()).toBe(0);
    expect(await j.page.getByTestId(`node-${mark}`).count()).toBe(0);
    // One input, one output and the error port, wired where the two nodes were.
    await expect.poll(() => handle(j.page, use, 'in', 'in').count()).toBe(1);
    expect(await handle(j.page, use, 'out', 'out').count()).toBe(1);
    expect(await handle(j.page, use, 'out', 'error').count()).toBe(1);
    await expect.poll(() => j.page.locator('.react-flow__edge').count()).toBe(2);
    expect(await j.page.locator(`[data-testid="rf__edge-${gen}.out->${use}.in"]`).count()).toBe(1);
    expect(await j.page.locator(`[data-testid="rf__edge-${use}.out->${log}.in"]`).count()).toBe(1);
    await expect.poll(() => j.page.getByTestId(`node-${use}`).textContent()).toContain('Subflow 1');
    // A reusable node type: the palette offers it.
    await expect.poll(() => j.page.getByTestId('palette-subflow:subflow-1').textContent()).toContain('Subflow 1');

    // Open it (double-click): its nodes between In and Out.
    await (await header(j.page, use)).dblclick();
    await expect.poll(() => j.page.getByTestId('subflow-bar').count()).toBe(1);
    await expect.poll(() => j.page.getByTestId('node-$in').count()).toBe(1);
    expect(await j.page.getByTestId('node-$out').count()).toBe(1);
    expect(await j.page.getByTestId(`node-${tag}`).count()).toBe(1);
    await expect.poll(() => j.page.locator('.react-flow__edge').count()).toBe(3);
    await expect.poll(() => handle(j.page, '$in', 'out', 'in').count()).toBe(1);
    expect(await handle(j.page, '$out', 'in', 'out').count()).toBe(1);

    // Its properties (nothing selected): a name and a parameter with a default.
    await j.page.locator('.react-flow__pane').click({ position: { x: 30, y: 300 } });
    await j.page.getByTestId('subflow-name').fill('Tag readings');
    await expect.poll(() => j.page.getByTestId('subflow-bar-name').textContent()).toBe('Tag readings');
    await j.page.getByTestId('add-parameter').click();
    await j.page.getByTestId('param-name-0').fill('site');
    await j.page.keyboard.press('Enter');
    await expect.poll(() => j.page.getByTestId('parameter-site').count()).toBe(1);
    await j.page.locator('#param-default-0').fill('nowhere');

    // The second node reads the parameter; a mistake in the first shows on it here...
    await selectNode(j.page, mark);
    await setExpression(j.page, mark, 'expression', '{"device": payload.device, "site": "${param:site}"}');
    await selectNode(j.page, tag);
    await setExpression(j.page, tag, 'expression', 'payload +');
    await expect.poll(() => j.page.getByTestId(`badge-${tag}`).count(), { timeout: 10_000 }).toBe(1);

    // ...and on the use in the flow, in the subflow's and the node's names.
    await j.page.getByTestId('back-to-flow').click();
    await expect.poll(() => j.page.getByTestId('subflow-bar').count()).toBe(0);
    await expect.poll(() => j.page.getByTestId(`badge-${use}`).count(), { timeout: 10_000 }).toBe(1);
    await expect.poll(() => j.page.getByTestId(`node-${use}`).textContent()).toContain('Tag readings');
    await selectNode(j.page, use);
    await expect
      .poll(() => j.page.getByTestId('node-properties').getByTestId('problem-message').first().textContent())
      .toMatch(/in subflow "Tag readings", node "Transform"/);

    // Fix it from the use's "Edit subflow".
    await j.page.getByTestId('edit-subflow').click();
    await selectNode(j.page, tag);
    await setExpression(j.page, tag, 'expression', 'payload');
    await expect.poll(() => j.page.getByTestId(`badge-${tag}`).count(), { timeout: 10_000 }).toBe(0);
    await j.page.getByTestId('back-to-flow').click();
    await expect.poll(() => j.page.getByTestId(`badge-${use}`).count(), { timeout: 10_000 }).toBe(0);

    // The use sets the parameter.
    await selectNode(j.page, use);
    await j.page.locator(`#param-${use}-site`).fill('north');

    // Deploy: messages go through the subflow into the debug panel.
    await j.page.locator('.react-flow__pane').click({ position: { x: 30, y: 300 } });
    await j.page.locator('#flow-name').fill('Subflow journey');
    await j.page.locator('[data-testid="deploy"]').click();
    await expect
      .poll(() => j.page.locator('[data-testid="runtime-state"]').textContent(), { timeout: 20_000 })
      .toContain('Running this flow');
    await expect
      .poll(() => j.page.locator('[data-testid="debug-entry"]').first().textContent(), { timeout: 20_000 })
      .toContain('north');
    expect(await j.page.locator('[data-testid="debug-entry"]').first().textContent()).toContain('site');
    // The use counts what went through it, as one node would.
    await expect.poll(() => counter(j.page, use, 'in'), { timeout: 10_000 }).toBeGreaterThan(0);
    await expect.poll(() => counter(j.page, use, 'out'), { timeout: 10_000 }).toBeGreaterThan(0);
    expect(await counter(j.page, use, 'failed')).toBe(0);

    // Saved with the subflow; a reload brings it back with its ports and parameter.
    await j.page.keyboard.press('Control+S');
    let saved: FlowDocument | undefined;
    await expect
      .poll(async () => {
        saved = (await savedFlows(j.srv.url)).find((f) => f.name === 'Subflow journey');
        return saved?.subflows?.[0]?.name;
      })
      .toBe('Tag readings');
    expect(saved?.subflows?.[0].parameters).toEqual({ site: { type: 'string', default: 'nowhere' } });
    expect(saved?.subflows?.[0].edges).toContainEqual({
      source: '$in',
      sourcePort: 'in',
      target: tag,
      targetPort: 'in',
    });
    expect(saved?.nodes.find((n) => n.id === use)).toMatchObject({
      type: 'subflow:subflow-1',
      config: { site: 'north' },
    });

    await j.page.goto('about:blank');
    await openEditor(j.page, `${j.srv.url}/#flow=${saved?.id}`);
    await expect.poll(() => j.page.getByTestId(`node-${use}`).textContent()).toContain('Tag readings');
    await expect.poll(() => handle(j.page, use, 'out', 'out').count()).toBe(1);
    await expect.poll(() => j.page.locator('.react-flow__edge').count()).toBe(2);
    expect(await j.page.getByTestId('palette-subflow:subflow-1').count()).toBe(1);
    expect(j.pageErrors).toEqual([]);
  }, 180_000);

  it('the shipped example opens with each use showing its subflow’s ports', async () => {
    const example = JSON.parse(
      readFileSync(new URL('../../examples/mqtt-subflow-to-postgres.json', import.meta.url), 'utf8'),
    ) as FlowDocument;
    await j.page.goto('about:blank');
    await openEditor(j.page, j.srv.url);
    // Imported from its file, as a user would.
    await j.page.getByRole('button', { name: 'Import' }).click();
    await j.page.locator('[data-testid="import-file"]').setInputFiles({
      name: 'mqtt-subflow-to-postgres.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify(example)),
    });
    for (const use of ['north', 'south']) {
      await expect.poll(() => handle(j.page, use, 'in', 'in').count()).toBe(1);
      expect(await handle(j.page, use, 'out', 'out').count()).toBe(1);
      expect(await handle(j.page, use, 'out', 'implausible').count()).toBe(1);
    }
    await expect.poll(() => j.page.locator('.react-flow__edge').count()).toBe(6);
    await expect.poll(() => j.page.getByTestId('node-north').textContent()).toContain('Plausible reading');
    // The use's parameters, with the subflow's defaults as placeholders.
    await selectNode(j.page, 'north');
    expect(await j.page.locator('#param-north-min').inputValue()).toBe('-30');
    expect(await j.page.locator('#param-north-site').inputValue()).toBe('north');
    // Its help is the subflow's: description, ports, parameters.
    await j.page.getByRole('tab', { name: 'Help' }).click();
    await expect.poll(() => j.page.getByTestId('subflow-help').textContent()).toContain('Lowest plausible °C');
    expect(await j.page.getByTestId('subflow-help').textContent()).toContain('implausible');
    await j.page.getByRole('tab', { name: 'Properties' }).click();

    // Deleting the subflow (from inside it) takes its uses along, after saying how many; undo brings all back.
    await j.page.getByTestId('edit-subflow').click();
    await j.page.keyboard.press('Escape');
    await j.page.getByTestId('delete-subflow').click();
    await expect.poll(() => j.page.getByTestId('subflow-properties').textContent()).toContain('Its 2 uses');
    await j.page.getByTestId('confirm-delete-subflow').click();
    await expect.poll(() => j.page.getByTestId('subflow-bar').count()).toBe(0);
    await expect.poll(() => j.page.getByTestId('node-north').count()).toBe(0);
    expect(await j.page.getByTestId('palette-subflow:plausible').count()).toBe(0);
    await j.page.locator('.react-flow__pane').click({ position: { x: 600, y: 30 } });
    await j.page.keyboard.press('Control+Z');
    await expect.poll(() => j.page.getByTestId('node-north').count()).toBe(1);
    await expect.poll(() => handle(j.page, 'south', 'out', 'implausible').count()).toBe(1);
    expect(j.pageErrors).toEqual([]);
  }, 120_000);
});
