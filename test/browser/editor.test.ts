/**
 * The editor as a new user meets it, in headless Chromium against the real server: build generate -> transform ->
 * filter -> debug from the palette, fix a validation error, undo/redo, deploy and watch counters and debug
 * messages, export and import back, copy/paste, try it, and a stale-save conflict.
 */
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, chromiumMissing, launchChromium } from './support/chromium.js';
import {
  connect,
  counter,
  dragFromPalette,
  dragHandle,
  field,
  handle,
  openEditor,
  selectNode,
  setExpression,
  setInput,
} from './support/editor-page.js';
import { type EditorServer, startEditorServer } from './support/editor-server.js';

const skip = chromiumMissing();

describe.skipIf(skip !== undefined)('editor in the browser', () => {
  let srv: EditorServer;
  let browser: Browser;
  let page: Page;
  const cspViolations: string[] = [];
  const pageErrors: string[] = [];
  const ids = { gen: '', map: '', filter: '', debug: '' };

  beforeAll(async () => {
    srv = await startEditorServer();
    browser = await launchChromium();
    await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: srv.url });
    page = await browser.context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy/.test(m.text())) cspViolations.push(m.text());
    });
    await openEditor(page, srv.url);
  }, 120_000);

  async function flowId(name: string): Promise<string> {
    const list = (await (await fetch(`${srv.url}/api/flows`)).json()) as Array<{ id: string; name: string }>;
    return list.find((f) => f.name === name)!.id;
  }

  /** Another editor saves the flow (with the current revision). */
  async function putFlow(id: string, patch: Record<string, unknown>): Promise<void> {
    const { flow, revision } = (await (await fetch(`${srv.url}/api/flows/${id}`)).json()) as {
      flow: Record<string, unknown>;
      revision: number;
    };
    const put = await fetch(`${srv.url}/api/flows/${id}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', 'x-sluice-client': 'test' },
      body: JSON.stringify({ flow: { ...flow, ...patch }, revision }),
    });
    expect(put.status).toBe(200);
  }

  afterEach(async (ctx) => {
    // A failing step leaves a picture of the page behind for whoever debugs it.
    if (ctx.task.result?.state === 'fail' && page) {
      await page
        .screenshot({ path: `test/.tmp/failed-${ctx.task.name.slice(0, 40).replace(/\W+/g, '-')}.png` })
        .catch(() => undefined);
    }
  });

  afterAll(async () => {
    await browser?.close();
    await srv?.close();
  });

  it('builds generate -> transform -> filter -> debug by dragging from the palette and connecting handles', async () => {
    ids.gen = await dragFromPalette(page, 'generate', 160, 200);
    ids.map = await dragFromPalette(page, 'transform', 420, 200);
    ids.filter = await dragFromPalette(page, 'filter', 680, 200);
    ids.debug = await dragFromPalette(page, 'debug', 680, 380);
    expect(ids).toEqual({ gen: 'generate-1', map: 'transform-1', filter: 'filter-1', debug: 'debug-1' });
    // Captions come from the definitions.
    await expect.poll(() => page.locator(`[data-testid="node-${ids.map}"]`).textContent()).toContain('Transform');

    await connect(page, ids.gen, 'out', ids.map);
    await connect(page, ids.map, 'out', ids.filter);
    await connect(page, ids.filter, 'out', ids.debug);
    await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(3);
    // Every node has the implicit error output.
    await expect.poll(() => handle(page, ids.map, 'out', 'error').count()).toBe(1);
  }, 60_000);

  it('refuses invalid connections and says why', async () => {
    const notice = page.locator('[data-testid="notice-error"]').last();
    // Input to input.
    await dragHandle(page, handle(page, ids.filter, 'in', 'in'), handle(page, ids.debug, 'in', 'in'));
    await expect.poll(() => notice.textContent()).toMatch(/Both ends are inputs/);
    // A cycle.
    await dragHandle(page, handle(page, ids.filter, 'out', 'out'), handle(page, ids.map, 'in', 'in'));
    await expect.poll(() => notice.textContent()).toMatch(/cycle/);
    // A duplicate.
    await dragHandle(page, handle(page, ids.map, 'out', 'out'), handle(page, ids.filter, 'in', 'in'));
    await expect.poll(() => notice.textContent()).toMatch(/already connected/);
    // Onto a source, which has no input.
    await dragHandle(page, handle(page, ids.filter, 'out', 'error'), page.locator(`[data-testid="node-${ids.gen}"]`));
    await expect.poll(() => notice.textContent()).toMatch(/is a source: it takes no input/);
    expect(await page.locator('.react-flow__edge').count()).toBe(3);
  }, 60_000);

  it('fills the forms; a bad value shows inline and as a badge, and fixing it clears both', async () => {
    await selectNode(page, ids.gen);
    await setInput(page, ids.gen, 'intervalMs', '-5');
    await expect.poll(() => page.locator(`[data-testid="badge-${ids.gen}"]`).count()).toBe(1);
    await expect
      .poll(() => field(page, ids.gen, 'intervalMs').locator('[data-testid="field-error"]').textContent())
      .toMatch(/>= 0|minimum|at least/);
    await setInput(page, ids.gen, 'intervalMs', '100');
    await expect.poll(() => page.locator(`[data-testid="badge-${ids.gen}"]`).count()).toBe(0);
    await expect.poll(() => field(page, ids.gen, 'intervalMs').locator('[data-testid="field-error"]').count()).toBe(0);

    await selectNode(page, ids.map);
    await setExpression(page, ids.map, 'expression', '{"device": payload.device, "tempF": payload.temp * 1.8 + 32');
    // Syntax is checked as you type.
    await expect.poll(() => field(page, ids.map, 'expression').locator('[data-testid="syntax-error"]').count()).toBe(1);
    await page.keyboard.insertText('}');
    await expect.poll(() => field(page, ids.map, 'expression').locator('[data-testid="syntax-error"]').count()).toBe(0);
    await page.locator('#node-name').fill('To Fahrenheit');

    await selectNode(page, ids.filter);
    await setExpression(page, ids.filter, 'condition', 'payload.tempF > -1000');
    await page.locator('.react-flow__pane').click({ position: { x: 20, y: 20 } });
    await expect.poll(() => page.locator('[data-testid="no-problems"]').count()).toBe(1);
  }, 60_000);

  it('undoes and redoes edits', async () => {
    const edges = () => page.locator('.react-flow__edge').count();
    await page.locator(`[data-testid="node-${ids.filter}"] [class*="header"]`).click();
    await page.keyboard.press('Delete');
    await expect.poll(() => page.locator(`[data-testid="node-${ids.filter}"]`).count()).toBe(0);
    expect(await edges()).toBe(1);
    await page.keyboard.press('Control+Z');
    await expect.poll(() => page.locator(`[data-testid="node-${ids.filter}"]`).count()).toBe(1);
    expect(await edges()).toBe(3);
    await page.keyboard.press('Control+Shift+Z');
    await expect.poll(() => page.locator(`[data-testid="node-${ids.filter}"]`).count()).toBe(0);
    await page.keyboard.press('Control+Z');
    await expect.poll(() => edges()).toBe(3);
  }, 60_000);

  it('deploys: node status, rising counters and messages in the debug panel', async () => {
    await page.keyboard.press('Escape');
    await page.locator('#flow-name').fill('Browser test flow');
    await page.locator('[data-testid="deploy"]').click();
    await expect
      .poll(() => page.locator('[data-testid="runtime-state"]').textContent(), { timeout: 15_000 })
      .toContain('Running this flow');
    await expect.poll(() => page.locator('[data-testid="flow-tab"]').first().getAttribute('data-dirty')).toBe('no');
    await expect.poll(() => counter(page, ids.debug, 'in'), { timeout: 15_000 }).toBeGreaterThan(2);
    const first = await counter(page, ids.gen, 'out');
    await expect.poll(() => counter(page, ids.gen, 'out'), { timeout: 10_000 }).toBeGreaterThan(first);
    await expect.poll(() => page.locator(`[data-testid="status-${ids.gen}"]`).count()).toBe(1);
    await expect
      .poll(() => page.locator('[data-testid="debug-entry"]').count(), { timeout: 10_000 })
      .toBeGreaterThan(2);
    // Pausing freezes the view while the flow keeps running.
    await page.locator('[data-testid="debug-pause"]').click();
    const entry = page.locator('[data-testid="debug-entry"]').first();
    const frozen = await entry.textContent();
    expect(frozen).toContain('tempF');
    expect(frozen).toContain('sim/sensors');
    await expect.poll(() => page.locator('[data-testid="debug-pause"]').textContent()).toMatch(/new/);
    expect(await page.locator('[data-testid="debug-entry"]').first().textContent()).toBe(frozen);
    // The payload is collapsible.
    await entry.locator('button[aria-expanded]').click();
    await expect.poll(() => entry.locator('[data-testid="payload-tree"]').textContent()).toContain('device');
    await page.locator('[data-testid="debug-pause"]').click();
    await expect.poll(() => page.locator('[data-testid="debug-pause"]').textContent()).toBe('Pause');
  }, 90_000);

  it('exports the flow as JSON and imports it back unchanged', async () => {
    await page.getByRole('button', { name: 'Export' }).click();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('menuitem', { name: /Download JSON file/ }).click(),
    ]);
    const exported = await readFile((await download.path())!, 'utf8');
    const original = JSON.parse(exported);
    expect(original.format).toBe('sluice/flow@1');
    expect(original.nodes.map((n: { id: string }) => n.id)).toEqual([ids.gen, ids.map, ids.filter, ids.debug]);

    await page.getByRole('button', { name: 'Import' }).click();
    await page
      .locator('[data-testid="import-file"]')
      .setInputFiles({ name: 'flow.json', mimeType: 'application/json', buffer: Buffer.from(exported) });
    // Its id is saved already: the editor asks (replace, keep both, cancel) instead of copying silently.
    await page
      .getByRole('dialog', { name: 'This flow is already saved' })
      .getByRole('button', { name: 'Keep both' })
      .click();
    await expect.poll(() => page.locator('[data-testid="flow-tab"]').count()).toBe(2);
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(4);

    await page.getByRole('button', { name: 'Export' }).click();
    const [again] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('menuitem', { name: /Download JSON file/ }).click(),
    ]);
    const reimported = JSON.parse(await readFile((await again.path())!, 'utf8'));
    // Kept both: the imported copy has a free id and a new name; everything else is the same document.
    expect(reimported.id).not.toBe(original.id);
    expect(reimported.name).toBe(`${original.name} (2)`);
    delete reimported.id;
    delete original.id;
    delete reimported.name;
    delete original.name;
    expect(reimported).toEqual(original);
    // Back to the first flow.
    await page.locator('[data-testid="flow-tab"]').first().click();
    await expect.poll(() => page.locator(`[data-testid="node-${ids.gen}"]`).count()).toBe(1);
  }, 60_000);

  it('copies and pastes nodes within a flow, between flows and as JSON through the system clipboard', async () => {
    await page.keyboard.press('Escape');
    await page.locator(`[data-testid="node-${ids.filter}"] [class*="header"]`).click();
    await page.locator(`[data-testid="node-${ids.debug}"] [class*="header"]`).click({ modifiers: ['Control'] });
    await page.keyboard.press('Control+C');
    await page.keyboard.press('Control+V');
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(6);
    await expect.poll(() => page.locator('[data-testid="node-filter-2"]').count()).toBe(1);
    await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(4);

    // The system clipboard holds the selection as JSON.
    const text = await page.evaluate(() => navigator.clipboard.readText());
    const fragment = JSON.parse(text);
    expect(fragment.format).toBe('sluice/fragment@1');
    expect(fragment.nodes.map((n: { type: string }) => n.type).sort()).toEqual(['debug', 'filter']);

    // Into another flow.
    await page.getByRole('button', { name: 'New', exact: true }).click();
    await expect.poll(() => page.locator('[data-testid="flow-tab"]').count()).toBe(3);
    await page.locator('.react-flow__pane').click({ position: { x: 300, y: 200 } });
    await page.keyboard.press('Control+V');
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(2);
    await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(1);

    // JSON written to the clipboard by something else (another window, a text editor) pastes too.
    const jsonFragment = {
      format: 'sluice/fragment@1',
      nodes: [{ id: 'gen', type: 'generate', config: { intervalMs: 500 }, position: { x: 0, y: 0 } }],
      edges: [],
      connections: [],
    };
    await page.evaluate((t) => navigator.clipboard.writeText(t), JSON.stringify(jsonFragment));
    await page.keyboard.press('Control+V');
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(3);
    await expect.poll(() => page.locator('[data-testid="node-gen"]').count()).toBe(1);
  }, 60_000);

  it('manages connections in their panel; nodes pick them; secrets accept only references and export as such', async () => {
    const node = await dragFromPalette(page, 'amqp-out', 300, 380);
    await selectNode(page, node);
    await expect.poll(() => page.locator(`[data-testid="badge-${node}"]`).count()).toBe(1);
    const picker = field(page, node, 'connection').locator('select');
    await picker.selectOption({ label: '+ New AMQP 0-9-1 (RabbitMQ) connection…' });
    await expect.poll(() => page.locator('[data-testid="connections-panel"]').count()).toBe(1);
    const conn = (await page.locator('.idRow code, [class*="idRow"] code').first().textContent()) ?? '';
    expect(conn).toBe('amqp-1');
    // x-showWhen: TLS files appear only with TLS on.
    expect(await page.locator('[data-field="conn-amqp-1_ca"]').count()).toBe(0);
    await page.locator('[data-field="conn-amqp-1_tls"] input[type="checkbox"]').check();
    await expect.poll(() => page.locator('[data-field="conn-amqp-1_ca"]').count()).toBe(1);
    // The secret widget refuses anything but a reference.
    const secret = page.locator('[data-testid="secret-conn-amqp-1_password"]');
    await secret.locator('input').fill('not a name!');
    await expect.poll(() => secret.textContent()).toMatch(/environment variable name/);
    await secret.locator('input').fill('RABBIT_PASSWORD');

    await page.getByRole('button', { name: 'Export' }).click();
    await page.getByRole('menuitem', { name: /Copy JSON to clipboard/ }).click();
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toContain('RABBIT_PASSWORD');
    const doc = JSON.parse(await page.evaluate(() => navigator.clipboard.readText()));
    expect(doc.connections).toEqual([
      expect.objectContaining({
        id: 'amqp-1',
        kind: 'amqp',
        config: expect.objectContaining({ password: '${env:RABBIT_PASSWORD}', tls: true }),
      }),
    ]);
    expect(doc.nodes.find((n: { id: string }) => n.id === node).config.connection).toBe('amqp-1');
    await page.getByRole('tab', { name: 'Properties' }).click();
  }, 60_000);

  it('gives a switch one output per rule, following its form', async () => {
    const sw = await dragFromPalette(page, 'switch', 560, 380);
    await selectNode(page, sw);
    await expect.poll(() => handle(page, sw, 'out', 'hot').count()).toBe(1);
    await expect.poll(() => handle(page, sw, 'out', 'otherwise').count()).toBe(1);
    await field(page, sw, 'rules').getByRole('button', { name: 'Add' }).click();
    await page.locator(`[data-field="cfg-${sw}_rules_1_port"] input`).fill('cold');
    await expect.poll(() => handle(page, sw, 'out', 'cold').count()).toBe(1);
    await expect.poll(() => page.locator(`[data-testid="node-${sw}"]`).textContent()).toContain('cold');
  }, 30_000);

  it('opens saved flows from the Open dialog', async () => {
    await page.getByRole('button', { name: 'Open', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Flows' });
    // The flow and its imported copy are told apart by name and id.
    const row = dialog.getByRole('button').filter({ has: page.getByText('browser-test-flow', { exact: true }) });
    await expect.poll(() => row.count()).toBe(1);
    await row.click();
    await expect
      .poll(() => page.locator('[data-testid="flow-tab"][aria-selected="true"]').textContent())
      .toContain('Browser test flow');
    // Already open: the dialog switched to its tab instead of opening it twice.
    expect(await page.locator('[data-testid="flow-tab"]').count()).toBe(3);
    await page.locator('[data-testid="flow-tab"]').last().click();
  }, 30_000);

  it('asks before closing a flow with unsaved changes', async () => {
    const tab = page.locator('[data-testid="flow-tab"]').last();
    expect(await tab.getAttribute('data-dirty')).toBe('yes');
    await tab.getByRole('button', { name: 'Close flow' }).click();
    await expect.poll(() => page.getByRole('dialog', { name: 'Unsaved changes' }).count()).toBe(1);
    await page.getByRole('button', { name: 'Cancel' }).click();
    expect(await page.locator('[data-testid="flow-tab"]').count()).toBe(3);
    await tab.getByRole('button', { name: 'Close flow' }).click();
    await page.getByRole('button', { name: 'Discard changes' }).click();
    await expect.poll(() => page.locator('[data-testid="flow-tab"]').count()).toBe(2);
    await page.locator('[data-testid="flow-tab"]').first().click();
    await expect.poll(() => page.locator(`[data-testid="node-${ids.map}"]`).count()).toBe(1);
  }, 30_000);

  it('tries a sample message and shows what every node emits, on the canvas and in the panel', async () => {
    await selectNode(page, ids.map);
    await page.getByRole('button', { name: 'Try it' }).first().click();
    await page.getByLabel('Sample payload').fill('{"device": "dev-7", "temp": 20}');
    await page.locator('[data-testid="try-send"]').click();
    await expect.poll(() => page.locator('[data-testid="try-step"]').count(), { timeout: 10_000 }).toBeGreaterThan(1);
    const steps = await page.locator('[data-testid="try-step"]').allTextContents();
    expect(steps[0]).toContain('To Fahrenheit');
    expect(steps[0]).toContain('68');
    expect(steps.some((t) => t.includes('Filter'))).toBe(true);
    await expect.poll(() => page.locator(`[data-testid="tried-${ids.map}"]`).textContent()).toContain('out');
  }, 30_000);

  it('follows a flow saved elsewhere while it has no unsaved changes', async () => {
    await page.keyboard.press('Escape');
    // The pasted nodes made it dirty: save first.
    await page.keyboard.press('Control+S');
    await expect.poll(() => page.locator('[data-testid="flow-tab"]').first().getAttribute('data-dirty')).toBe('no');
    const id = await flowId('Browser test flow');
    await putFlow(id, { description: 'edited in another window' });
    await expect.poll(() => page.locator('#flow-description').inputValue()).toBe('edited in another window');
    expect(await page.locator('[data-testid="flow-tab"]').first().getAttribute('data-dirty')).toBe('no');
  }, 30_000);

  it('shows the server message when someone else saved first, and keeps the edits', async () => {
    const id = await flowId('Browser test flow');
    await page.locator('#flow-description').fill('edited here');
    await putFlow(id, { description: 'edited elsewhere' });
    await page.keyboard.press('Control+S');
    await expect.poll(() => page.locator('[data-testid="conflict-message"]').count()).toBe(1);
    expect(await page.locator('[data-testid="conflict-message"]').textContent()).toMatch(/revision|changed|saved/i);
    await page.getByRole('button', { name: 'Keep editing' }).click();
    expect(await page.locator('#flow-description').inputValue()).toBe('edited here');
    await page.keyboard.press('Control+S');
    await page.getByRole('button', { name: 'Save mine over it' }).click();
    await expect.poll(() => page.locator('[data-testid="flow-tab"]').first().getAttribute('data-dirty')).toBe('no');
    const saved = (await (await fetch(`${srv.url}/api/flows/${id}`)).json()) as { flow: { description?: string } };
    expect(saved.flow.description).toBe('edited here');
  }, 30_000);

  it('lays the flow out with ELK (loaded on demand) as one undo step', async () => {
    const position = () =>
      page.locator(`.react-flow__node[data-id="${ids.debug}"]`).evaluate((el) => (el as HTMLElement).style.transform);
    const before = await position();
    await page.locator('.react-flow__pane').click({ position: { x: 30, y: 30 } });
    await page.keyboard.press('l');
    await expect.poll(position, { timeout: 15_000 }).not.toBe(before);
    await page.keyboard.press('Control+Z');
    await expect.poll(position).toBe(before);
  }, 30_000);

  it('documents the keyboard shortcuts in a help dialog (?)', async () => {
    await page.locator('.react-flow__pane').click({ position: { x: 30, y: 30 } });
    await page.keyboard.press('?');
    await expect.poll(() => page.locator('[data-testid="help-dialog"]').count()).toBe(1);
    expect(await page.locator('[data-testid="help-dialog"]').textContent()).toContain('Undo');
    await page.keyboard.press('Escape');
    await expect.poll(() => page.locator('[data-testid="help-dialog"]').count()).toBe(0);
  }, 30_000);

  it('ran without page errors or CSP violations', () => {
    expect(pageErrors).toEqual([]);
    expect(cspViolations).toEqual([]);
  });
});
