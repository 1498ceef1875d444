/**
 * The frame every docs screenshot script shares: an editor server with `flow` stored, headless Chromium at 1400x800,
 * the editor opened on the flow, then `shoot` takes its pictures into docs/screenshots; whatever ran is stopped, and
 * the process exits 1 with the error when anything failed.
 */
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { chromiumMissing, launchChromium } from './chromium.js';
import { openEditor } from './editor-page.js';
import { type EditorServer, startEditorServer } from './editor-server.js';

export const SCREENSHOTS = fileURLToPath(new URL('../../../docs/screenshots', import.meta.url));
const CLIENT = { 'x-sluice-client': 'shot' };

export interface Shot {
  page: Page;
  srv: EditorServer;
  /** Where to write `name` (a .png under docs/screenshots). */
  path(name: string): string;
  /** Deploys the open flow and waits for the deploy report to finish, then dismisses it. */
  deploy(): Promise<void>;
}

async function run(flow: { id: string }, shoot: (s: Shot) => Promise<void>): Promise<void> {
  const missing = chromiumMissing();
  if (missing) throw new Error(missing);
  await mkdir(SCREENSHOTS, { recursive: true });
  const srv = await startEditorServer();
  const browser = await launchChromium({ width: 1400, height: 800 });
  try {
    const res = await fetch(`${srv.url}/api/flows`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...CLIENT },
      body: JSON.stringify({ flow }),
    });
    if (!res.ok) throw new Error(`cannot store the flow: ${await res.text()}`);
    const page = await browser.context.newPage();
    await openEditor(page, `${srv.url}/#flow=${flow.id}`);
    await shoot({
      page,
      srv,
      path: (name) => `${SCREENSHOTS}/${name}`,
      async deploy() {
        await page.locator('[data-testid="deploy"]').click();
        await page.waitForSelector('[data-testid="deploy-report"][data-phase="done"]', { timeout: 60_000 });
        const dismiss = page.getByLabel('Dismiss the deploy report');
        if (await dismiss.count()) await dismiss.click();
      },
    });
    await fetch(`${srv.url}/api/runtime/stop`, { method: 'POST', headers: CLIENT });
  } finally {
    await browser.close();
    await srv.close();
  }
}

/** Runs a screenshot script as a command: exit 0 when done, 1 with the error otherwise. */
export function screenshotScript(flow: { id: string }, shoot: (s: Shot) => Promise<void>): void {
  run(flow, shoot).then(
    () => process.exit(0),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
