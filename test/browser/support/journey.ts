/**
 * The frame of a browser journey: one editor server, one Chromium, one page with its errors collected; a failed step
 * leaves a screenshot in test/.tmp; everything is closed (and the runtime stopped) at the end. The fields are set in
 * the suite's beforeAll, so tests read them from the returned object.
 */
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { CLIENT_HEADER } from '../../../src/server/security.js';
import { type Browser, launchChromium } from './chromium.js';
import { openEditor } from './editor-page.js';
import { type EditorServer, startEditorServer } from './editor-server.js';

export interface Journey {
  srv: EditorServer;
  browser: Browser;
  page: Page;
  readonly pageErrors: string[];
}

export interface JourneyOptions {
  /** Opens the editor on the page once set up (default true). */
  open?: boolean;
  width?: number;
  height?: number;
  /** Runs once the server is up, before the browser starts (e.g. to store a flow). */
  prepare?: (srv: EditorServer) => Promise<void>;
}

export function editorJourney(options: JourneyOptions = {}): Journey {
  // Filled in by beforeAll: no test runs before it.
  const journey = { pageErrors: [] } as unknown as Journey;

  beforeAll(async () => {
    journey.srv = await startEditorServer();
    await options.prepare?.(journey.srv);
    journey.browser = await launchChromium({ width: options.width, height: options.height });
    journey.page = await journey.browser.context.newPage();
    journey.page.on('pageerror', (e) => journey.pageErrors.push(e.message));
    if (options.open ?? true) await openEditor(journey.page, journey.srv.url);
  }, 180_000);

  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail' && journey.page) {
      await journey.page
        .screenshot({ path: `test/.tmp/failed-${ctx.task.name.slice(0, 40).replace(/\W+/g, '-')}.png` })
        .catch(() => undefined);
    }
  });

  afterAll(async () => {
    if (journey.srv) {
      await fetch(`${journey.srv.url}/api/runtime/stop`, {
        method: 'POST',
        headers: { [CLIENT_HEADER]: 'test' },
      }).catch(() => undefined);
    }
    await journey.browser?.close();
    await journey.srv?.close();
  });

  return journey;
}

/** Stores a flow through the API, as an import would. */
export async function storeFlow(srv: EditorServer, flow: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${srv.url}/api/flows`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [CLIENT_HEADER]: 'test' },
    body: JSON.stringify({ flow }),
  });
  if (!res.ok) throw new Error(`cannot store the flow: ${res.status} ${await res.text()}`);
}
