/**
 * Makes docs/screenshots/runtimes.png: the Runtimes dialog with this computer and a remote runner (a real
 * `sluice run --api` process), a flow deployed to each. Run: `node --import tsx test/browser/screenshot-runtimes.ts`.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runnerRoutes } from '../../src/server/runners/routes.js';
import { RunnerSettings } from '../../src/server/runners/settings.js';
import { generatorFlow, startRunner } from '../support/runner.js';
import { chromiumMissing, launchChromium } from './support/chromium.js';
import { openEditor } from './support/editor-page.js';
import { startEditorServer } from './support/editor-server.js';

const OUT = fileURLToPath(new URL('../../docs/screenshots', import.meta.url));

async function main(): Promise<void> {
  const missing = chromiumMissing();
  if (missing) throw new Error(missing);
  await mkdir(OUT, { recursive: true });
  const config = await mkdtemp(join(tmpdir(), 'sluice-shot-'));
  const runner = await startRunner();
  const srv = await startEditorServer({
    extraRoutes: runnerRoutes(await RunnerSettings.open(join(config, 'runners.json'))),
  });
  const browser = await launchChromium({ width: 1400, height: 860 });
  try {
    for (const [id, name] of [
      ['line-3-sensors', 'Line 3 sensors'],
      ['edge-telemetry', 'Edge telemetry'],
    ]) {
      await fetch(`${srv.url}/api/flows`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-sluice-client': 'shot' },
        body: JSON.stringify({ flow: { ...generatorFlow(id, 100), name } }),
      });
    }
    await fetch(`${srv.url}/api/runners`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-sluice-client': 'shot' },
      body: JSON.stringify({ name: 'edge-box-1', url: runner.url, token: runner.token }),
    });
    const page = await browser.context.newPage();
    await openEditor(page, `${srv.url}/#flow=line-3-sensors`);
    await page.locator('[data-testid="runtimes-button"]').click();
    await page.locator('[data-testid="runtime-local"]').getByRole('button', { name: 'Deploy here' }).click();
    await page.locator('[data-testid="runtime-edge-box-1"]').waitFor();
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Open', exact: true }).click();
    await page.getByRole('button', { name: /Edge telemetry/ }).click();
    await page.locator('[data-testid="runtimes-button"]').click();
    await page.locator('[data-testid="runtime-edge-box-1"]').getByRole('button', { name: 'Deploy here' }).click();
    await page.waitForTimeout(4000);
    for (const close of await page.getByRole('button', { name: 'Dismiss' }).all()) await close.click();
    await page.screenshot({ path: `${OUT}/runtimes.png` });
  } finally {
    await browser.close();
    await srv.close();
    await runner.stop();
    await rm(config, { recursive: true, force: true });
  }
}

await main();
