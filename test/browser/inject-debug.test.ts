/**
 * Issue 13, what a Node-RED user reaches for, as journeys in headless Chromium against the real server: an inject
 * node with its button; a debug node's on/off button, in the running flow and kept by the saved flow; watching a
 * node's output by clicking its handle.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { chromiumMissing } from './support/chromium.js';
import { connect, dragFromPalette, field, handle, openEditor, selectNode, showBottom } from './support/editor-page.js';
import { editorJourney } from './support/journey.js';

const skip = chromiumMissing();
const suffix = Math.random().toString(36).slice(2, 8);

async function dismissReport(page: Page): Promise<void> {
  const dismiss = page.getByLabel('Dismiss the deploy report');
  if (await dismiss.count()) await dismiss.click();
}

describe.skipIf(skip !== undefined)('inject, debug on/off and watching an output', () => {
  const j = editorJourney();
  const ids: Record<string, string> = {};

  /** The text of the debug panel's entries (messages that reached debug nodes). */
  const entries = () =>
    j.page.locator('[data-testid="debug-entry"]').evaluateAll((els) => els.map((e) => e.textContent ?? ''));
  const greetings = async () => (await entries()).filter((t) => t.includes('hi from inject')).length;

  async function deploy(): Promise<void> {
    await j.page.locator('[data-testid="deploy"]').click();
    await j.page.waitForSelector('[data-testid="deploy-report"][data-phase="done"]', { timeout: 30_000 });
    await dismissReport(j.page);
  }

  async function savedFlow(name: string): Promise<{ nodes: Array<{ id: string; config: Record<string, unknown> }> }> {
    const list = (await (await fetch(`${j.srv.url}/api/flows`)).json()) as Array<{ id: string; name: string }>;
    const id = list.find((f) => f.name === name)?.id;
    const r = (await (await fetch(`${j.srv.url}/api/flows/${id}`)).json()) as {
      flow: { nodes: Array<{ id: string; config: Record<string, unknown> }> };
    };
    return r.flow;
  }

  it('drags an inject node, wires it to a debug node, deploys, presses its button and sees the message in the debug panel', async () => {
    ids.inject = await dragFromPalette(j.page, 'inject', 200, 200);
    ids.debug = await dragFromPalette(j.page, 'debug', 520, 200);
    await connect(j.page, ids.inject, 'out', ids.debug);
    // Its payload is set in its properties, as in Node-RED's inject node.
    await selectNode(j.page, ids.inject);
    await field(j.page, ids.inject, 'payload').locator('textarea').fill('{"greeting": "hi from inject"}');
    await field(j.page, ids.inject, 'topic').locator('input').fill('by/button');
    // No button to press before the flow runs.
    expect(await j.page.locator(`[data-testid="inject-${ids.inject}"]`).count()).toBe(0);
    // A click on the empty canvas shows the flow's own properties.
    await j.page.locator('.react-flow__pane').click({ position: { x: 60, y: 60 } });
    await j.page.locator('#flow-name').fill(`Buttons ${suffix}`);
    await deploy();
    await showBottom(j.page, 'Debug');
    // It sends nothing on its own (no interval, not once at start).
    expect(await greetings()).toBe(0);
    // Its properties say that its button sends its own payload, not the one typed under "Inject another message".
    await selectNode(j.page, ids.inject);
    await expect.poll(() => j.page.getByTestId('inject-own-payload').count()).toBe(1);

    await j.page.locator(`[data-testid="inject-${ids.inject}"]`).click();
    await expect
      .poll(() => j.page.locator('[data-testid="notice-success"]').last().textContent())
      .toMatch(new RegExp(`Injected from ${ids.inject}: delivered`));
    await expect.poll(greetings).toBe(1);
    const entry = (await entries()).find((t) => t.includes('hi from inject'));
    expect(entry).toContain('by/button');
    expect(j.pageErrors).toEqual([]);
  }, 120_000);

  it('turns the debug node off: further messages do not appear; on again: they do; the saved flow and a deploy keep it', async () => {
    const toggle = j.page.locator(`[data-testid="debug-toggle-${ids.debug}"]`);
    const press = () => j.page.locator(`[data-testid="inject-${ids.inject}"]`).click();
    const running = async () =>
      (
        (await (await fetch(`${j.srv.url}/api/runtime`)).json()) as {
          flows: Array<{ name?: string; revision: number }>;
        }
      ).flows.find((f) => f.name === `Buttons ${suffix}`)?.revision;
    const revision = await running();
    expect(revision).toBeDefined();
    expect(await toggle.getAttribute('aria-pressed')).toBe('true');

    await toggle.click();
    await expect.poll(() => toggle.getAttribute('aria-pressed')).toBe('false');
    // The node says it is off, in the running flow, without a redeploy.
    await expect
      .poll(() => j.page.locator(`[data-testid="status-text-${ids.debug}"]`).textContent())
      .toMatch(/off \(not shown in the debug panel\)/);
    await press();
    await press();
    // Both were delivered (the debug node still takes them), neither is shown.
    await expect
      .poll(() => j.page.locator(`[data-testid="counters-${ids.debug}"] [data-counter="in"]`).textContent())
      .toBe('3');
    await new Promise((r) => setTimeout(r, 500));
    expect(await greetings()).toBe(1);
    // Switching is not deploying: the same revision runs.
    expect(await running()).toBe(revision);

    // Deploying keeps it off: the flow was saved with the debug node off.
    await deploy();
    expect((await savedFlow(`Buttons ${suffix}`)).nodes.find((n) => n.id === ids.debug)?.config.active).toBe(false);
    await expect
      .poll(() => j.page.locator(`[data-testid="status-text-${ids.debug}"]`).textContent(), { timeout: 15_000 })
      .toMatch(/off/);
    expect(await toggle.getAttribute('aria-pressed')).toBe('false');
    expect(await running()).toBeGreaterThan(revision!);
    await press();
    await new Promise((r) => setTimeout(r, 500));
    expect(await greetings()).toBe(1);

    // On again, in the running flow.
    await toggle.click();
    await expect.poll(() => toggle.getAttribute('aria-pressed')).toBe('true');
    await expect.poll(() => j.page.locator(`[data-testid="status-text-${ids.debug}"]`).textContent()).toBe('running');
    await press();
    await expect.poll(greetings).toBe(2);
    expect(j.pageErrors).toEqual([]);
  }, 120_000);

  it("clicks a node's output handle and sees that port's messages in the debug panel; clicks again to stop", async () => {
    const id = `outputs-${suffix}`;
    const stored = await fetch(`${j.srv.url}/api/flows`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-sluice-client': 'test' },
      body: JSON.stringify({
        flow: {
          format: 'sluice/flow@1',
          id,
          name: 'Outputs',
          nodes: [
            {
              id: 'count',
              type: 'generate',
              position: { x: 0, y: 0 },
              config: { intervalMs: 100, payload: '{"n": $seq}' },
            },
            {
              id: 'evens',
              type: 'filter',
              name: 'Evens',
              position: { x: 300, y: 0 },
              config: { condition: 'payload.n % 2 = 0' },
            },
            {
              id: 'shape',
              type: 'transform',
              position: { x: 600, y: 0 },
              config: { expression: '{"even": payload.n}' },
            },
          ],
          edges: [
            { source: 'count', sourcePort: 'out', target: 'evens', targetPort: 'in' },
            { source: 'evens', sourcePort: 'out', target: 'shape', targetPort: 'in' },
          ],
        },
      }),
    });
    expect(stored.ok).toBe(true);
    await j.page.goto('about:blank');
    await openEditor(j.page, `${j.srv.url}/#flow=${id}`);
    await j.page.waitForSelector('[data-testid="node-evens"]');
    await deploy();
    await showBottom(j.page, 'Debug');
    // No debug node in this flow: nothing to see until an output is watched.
    expect(await j.page.locator('[data-testid="debug-tap"]').count()).toBe(0);

    const out = handle(j.page, 'evens', 'out', 'out');
    const wire = j.page.locator('[aria-label="Edge from evens to shape"]');
    await out.click();
    // The watched port and its wire are marked.
    await expect.poll(() => out.getAttribute('class')).toContain('tapped');
    await expect.poll(() => wire.getAttribute('class')).toContain('tapped');
    const taps = j.page.locator('[data-testid="debug-tap"]');
    await expect.poll(() => taps.count(), { timeout: 10_000 }).toBeGreaterThan(2);
    for (const t of await taps.evaluateAll((els) => els.map((e) => e.textContent ?? ''))) {
      // What passed the filter, from Evens' output: even numbers only.
      expect(t).toMatch(/wire from\s*Evens\s*→ out/);
      expect(Number(/"n":(\d+)/.exec(t)?.[1]) % 2).toBe(0);
    }
    // A click on an output is not a connection: no wire was added.
    expect(await j.page.locator('.react-flow__edge').count()).toBe(2);
    const watched = (await (await fetch(`${j.srv.url}/api/runtime/flows/${id}/taps`)).json()) as { taps: unknown[] };
    expect(watched.taps).toEqual([{ nodeId: 'evens', port: 'out' }]);

    await out.click();
    await expect.poll(() => out.getAttribute('class')).not.toContain('tapped');
    await expect.poll(() => wire.getAttribute('class')).not.toContain('tapped');
    const after = (await (await fetch(`${j.srv.url}/api/runtime/flows/${id}/taps`)).json()) as { taps: unknown[] };
    expect(after.taps).toEqual([]);
    // Watching is not deploying: the flow kept its revision.
    const view = (await (await fetch(`${j.srv.url}/api/runtime/flows/${id}`)).json()) as { revision: number };
    expect(view.revision).toBe(1);
    expect(j.pageErrors).toEqual([]);
  }, 120_000);
});
