/**
 * The runtime picker as a user meets it, in headless Chromium: the editor's server (local runtime) and a second
 * process, `sluice run --api`, as a remote runner. Adding the runner with a wrong token is refused with a clear
 * message; with the right one it is added, the flow is deployed there, its counters rise in the dialog (and nothing
 * runs locally), and it is stopped there.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runnerRoutes } from '../../src/server/runners/routes.js';
import { RunnerSettings } from '../../src/server/runners/settings.js';
import { CLIENT_HEADER } from '../../src/server/security.js';
import { generatorFlow, type RunnerProcess, startRunner } from '../support/runner.js';
import { type Browser, chromiumMissing, launchChromium } from './support/chromium.js';
import { openEditor } from './support/editor-page.js';
import { type EditorServer, startEditorServer } from './support/editor-server.js';

const skip = chromiumMissing();

describe.skipIf(skip !== undefined)('runtimes: local and a remote runner', () => {
  let srv: EditorServer;
  let runner: RunnerProcess;
  let browser: Browser;
  let page: Page;
  let config: string;
  const flowId = `picker-${Math.random().toString(36).slice(2, 8)}`;

  beforeAll(async () => {
    config = await mkdtemp(join(tmpdir(), 'sluice-runners-config-'));
    runner = await startRunner();
    const settings = await RunnerSettings.open(join(config, 'runners.json'));
    srv = await startEditorServer({ extraRoutes: runnerRoutes(settings) });
    const res = await fetch(`${srv.url}/api/flows`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [CLIENT_HEADER]: 'test' },
      body: JSON.stringify({ flow: generatorFlow(flowId) }),
    });
    expect(res.status).toBe(201);
    browser = await launchChromium();
    page = await browser.context.newPage();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await srv?.close();
    await runner?.stop();
    await rm(config, { recursive: true, force: true });
  });

  const dialog = () => page.getByRole('dialog', { name: 'Runtimes' });
  const remoteRow = () =>
    page.locator(`[data-testid="runtime-edge-1"] [data-testid="runtimes-flow"][data-flow-id="${flowId}"]`);
  const remoteMessages = async () =>
    Number(await remoteRow().locator('[data-testid="runtimes-flow-messages"]').textContent());

  it('refuses a runner with a wrong token, saying so', async () => {
    await openEditor(page, `${srv.url}/#flow=${flowId}`);
    await page.locator('[data-testid="runtimes-button"]').click();
    await expect.poll(() => page.locator('[data-testid="runtime-local"]').isVisible()).toBe(true);
    await dialog().getByRole('button', { name: 'Add runner…' }).click();
    await dialog().getByLabel('Name').fill('edge-1');
    await dialog().getByLabel('Address').fill(runner.url);
    await dialog().getByLabel('Token').fill('0123456789abcdef0123456789abcdef');
    await dialog().getByRole('button', { name: 'Check and save' }).click();
    await expect
      .poll(() => page.locator('[data-testid="runner-error"]').textContent(), { timeout: 15_000 })
      .toBe(
        `runner "edge-1" at ${runner.url} refused the token; use the token it was started with (--token or SLUICE_TOKEN)`,
      );
    expect(await page.locator('[data-testid="runtime-edge-1"]').count()).toBe(0);
  });

  it('adds the runner with its token, deploys there, sees counters rise, and stops it there', async () => {
    await dialog().getByLabel('Token').fill(runner.token);
    await dialog().getByRole('button', { name: 'Check and save' }).click();
    await page.locator('[data-testid="runtime-edge-1"]').waitFor({ timeout: 15_000 });
    await page.locator('[data-testid="runtime-edge-1"]').getByRole('button', { name: 'Deploy here' }).click();

    await expect.poll(() => remoteRow().getAttribute('data-state'), { timeout: 20_000 }).toBe('running');
    await expect.poll(remoteMessages, { timeout: 20_000 }).toBeGreaterThan(0);
    const first = await remoteMessages();
    await expect.poll(remoteMessages, { timeout: 20_000 }).toBeGreaterThan(first);
    // It runs on the runner, not here.
    expect(await page.locator('[data-testid="runtime-local"] [data-testid="runtimes-flow"]').count()).toBe(0);

    await remoteRow().getByRole('button', { name: 'Stop' }).click();
    await expect.poll(() => remoteRow().getAttribute('data-state'), { timeout: 20_000 }).toBe('stopped');
    // The runner itself says so.
    const view = (await (
      await fetch(`${runner.url}/api/runtime`, { headers: { authorization: `Bearer ${runner.token}` } })
    ).json()) as { flows: Array<{ flowId: string; state: string }> };
    expect(view.flows.find((f) => f.flowId === flowId)?.state).toBe('stopped');
  });

  it('deploys to this computer from the same dialog', async () => {
    await page.locator('[data-testid="runtime-local"]').getByRole('button', { name: 'Deploy here' }).click();
    const local = page.locator(`[data-testid="runtime-local"] [data-testid="runtimes-flow"][data-flow-id="${flowId}"]`);
    await expect.poll(() => local.getAttribute('data-state'), { timeout: 20_000 }).toBe('running');
    await local.getByRole('button', { name: 'Stop' }).click();
    await expect.poll(() => local.getAttribute('data-state'), { timeout: 20_000 }).toBe('stopped');
  });
});
