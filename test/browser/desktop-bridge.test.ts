/**
 * The editor inside the desktop shell, driven in Chromium with the same bridge the preload exposes
 * (src/desktop/preload-api.ts, bundled for the page) over a recording stand-in for Electron's IPC: documents opened
 * from files, edits reported as unsaved and kept for recovery, saved to their file, exported, restored after a crash,
 * saved all before a close.
 */
import { build } from 'esbuild';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHANNELS, type DesktopCommand } from '../../src/desktop/bridge.js';
import { generatorFlow } from '../support/runner.js';
import { type Browser, chromiumMissing, launchChromium } from './support/chromium.js';
import { openEditor } from './support/editor-page.js';
import { type EditorServer, startEditorServer } from './support/editor-server.js';

const skip = chromiumMissing();

interface Recorded {
  channel: string;
  args: unknown[];
}

declare global {
  interface Window {
    __desktop: { invoked: Recorded[]; sent: Recorded[]; emit(command: DesktopCommand): void };
  }
}

/** The preload's bridge as a script for the page, over an IPC stand-in that records and answers like the shell. */
async function bridgeScript(): Promise<string> {
  const bundle = await build({
    entryPoints: ['src/desktop/preload-api.ts'],
    bundle: true,
    format: 'iife',
    globalName: 'SluiceBridge',
    write: false,
    platform: 'browser',
  });
  const setup = `
    (() => {
      const rec = { invoked: [], sent: [], listeners: [] };
      const answers = {
        ${JSON.stringify(CHANNELS.saveFile)}: (r) => ({ saved: true, path: r.path && !r.saveAs ? r.path : '/chosen/new-flow.json' }),
        ${JSON.stringify(CHANNELS.exportFile)}: () => ({ saved: true, path: '/chosen/export.json' }),
        ${JSON.stringify(CHANNELS.openPath)}: () => true,
      };
      const ipc = {
        invoke: async (channel, ...args) => { rec.invoked.push({ channel, args }); return answers[channel]?.(...args); },
        send: (channel, ...args) => rec.sent.push({ channel, args }),
        on: (channel, fn) => rec.listeners.push({ channel, fn }),
        removeListener: (channel, fn) => { rec.listeners = rec.listeners.filter((l) => l.fn !== fn); },
      };
      rec.emit = (command) => rec.listeners.filter((l) => l.channel === ${JSON.stringify(CHANNELS.command)}).forEach((l) => l.fn({}, command));
      window.__desktop = rec;
      window.sluiceDesktop = Object.freeze(SluiceBridge.createDesktopApi(ipc, (f) => '/dropped/' + f.name, 'linux'));
    })();`;
  return `${bundle.outputFiles[0].text}\n${setup}`;
}

describe.skipIf(skip !== undefined)('the editor in the desktop shell', () => {
  let srv: EditorServer;
  let browser: Browser;
  let page: Page;
  const path = '/home/user/flows/sensors.json';
  const fileFlow = generatorFlow(`desk-${Math.random().toString(36).slice(2, 8)}`);

  const sent = (channel: string) =>
    page.evaluate((c) => window.__desktop.sent.filter((s) => s.channel === c).map((s) => s.args), channel);
  const invoked = (channel: string) =>
    page.evaluate((c) => window.__desktop.invoked.filter((s) => s.channel === c).map((s) => s.args[0]), channel);
  const lastState = async () => (await sent(CHANNELS.setState)).at(-1)?.[0] as { dirty: boolean; title: string };
  const emit = (command: DesktopCommand) => page.evaluate((c) => window.__desktop.emit(c), command);
  const activeTabName = () => page.locator('[data-testid="flow-tab"][aria-selected="true"]').textContent();

  beforeAll(async () => {
    srv = await startEditorServer();
    browser = await launchChromium();
    page = await browser.context.newPage();
    await page.addInitScript({ content: await bridgeScript() });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await srv?.close();
  });

  it('opens a flow file the shell read, and reports it saved under its name', async () => {
    await openEditor(page, srv.url);
    await emit({ command: 'open', document: { path, text: JSON.stringify(fileFlow) } });
    await expect.poll(activeTabName, { timeout: 10_000 }).toContain(fileFlow.name as string);
    await expect.poll(lastState, { timeout: 10_000 }).toEqual({ dirty: false, title: fileFlow.name });
  });

  it('reports an edit as unsaved and keeps a recovery copy; Save writes it to its own file', async () => {
    await page.locator('#flow-name').fill('Sensors renamed');
    await expect.poll(lastState, { timeout: 10_000 }).toEqual({ dirty: true, title: 'Sensors renamed' });
    await expect
      .poll(async () => (await sent(CHANNELS.backup)).at(-1)?.[0], { timeout: 10_000 })
      .toEqual([{ path, name: 'Sensors renamed', text: expect.stringContaining('"name": "Sensors renamed"') }]);

    await emit({ command: 'save' });
    await expect.poll(async () => (await invoked(CHANNELS.saveFile)).length, { timeout: 10_000 }).toBe(1);
    const [request] = (await invoked(CHANNELS.saveFile)) as Array<{
      path: string;
      text: string;
      suggestedName: string;
    }>;
    expect(request.path).toBe(path);
    expect(JSON.parse(request.text)).toMatchObject({ name: 'Sensors renamed', format: 'sluice/flow@1' });
    await expect.poll(lastState, { timeout: 10_000 }).toEqual({ dirty: false, title: 'Sensors renamed' });
    await expect.poll(async () => (await sent(CHANNELS.backup)).at(-1)?.[0], { timeout: 10_000 }).toEqual([]);
  });

  it("the toolbar's Save writes the flow's file too", async () => {
    const before = (await invoked(CHANNELS.saveFile)).length;
    await page.locator('#flow-name').fill('Sensors from the toolbar');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(async () => (await invoked(CHANNELS.saveFile)).length, { timeout: 10_000 }).toBe(before + 1);
    const last = (await invoked(CHANNELS.saveFile)).at(-1) as { path: string; text: string };
    expect(last.path).toBe(path);
    expect(JSON.parse(last.text).name).toBe('Sensors from the toolbar');
    await expect.poll(lastState, { timeout: 10_000 }).toEqual({ dirty: false, title: 'Sensors from the toolbar' });
  });

  it('exports through the shell (no file path given: the user chooses), and Save As asks again', async () => {
    await emit({ command: 'export' });
    await expect.poll(async () => (await invoked(CHANNELS.exportFile)).length, { timeout: 10_000 }).toBe(1);
    const [exported] = (await invoked(CHANNELS.exportFile)) as Array<Record<string, unknown>>;
    expect(exported.path).toBeUndefined();
    expect(exported.suggestedName).toMatch(/\.json$/);

    await emit({ command: 'save-as' });
    await expect.poll(async () => (await invoked(CHANNELS.saveFile)).length, { timeout: 10_000 }).toBe(3);
    expect(((await invoked(CHANNELS.saveFile)).at(-1) as { saveAs?: boolean }).saveAs).toBe(true);
  });

  it('restores unsaved documents after a crash, marked unsaved, and saves them all before closing', async () => {
    const restored = { ...generatorFlow('restored-one'), name: 'Restored one' };
    await emit({
      command: 'restore',
      documents: [{ path: '/home/user/flows/restored.json', name: 'Restored one', text: JSON.stringify(restored) }],
    });
    await expect.poll(activeTabName, { timeout: 10_000 }).toContain('Restored one');
    expect(await page.locator('[data-testid="flow-tab"][aria-selected="true"]').getAttribute('data-dirty')).toBe('yes');
    await expect.poll(async () => (await lastState()).dirty, { timeout: 10_000 }).toBe(true);

    const before = (await invoked(CHANNELS.saveFile)).length;
    await emit({ command: 'save-all', requestId: 7 });
    await expect.poll(async () => (await sent(CHANNELS.reply)).at(-1), { timeout: 15_000 }).toEqual([7, true]);
    const saves = (await invoked(CHANNELS.saveFile)).slice(before) as Array<{ path: string }>;
    expect(saves.map((s) => s.path)).toEqual(['/home/user/flows/restored.json']);
    await expect.poll(async () => (await lastState()).dirty, { timeout: 10_000 }).toBe(false);
  });

  it('asks the shell to open a flow file dropped on the window (and ignores other files)', async () => {
    await page.evaluate(() => {
      const drop = (name: string) => {
        const dt = new DataTransfer();
        dt.items.add(new File(['{}'], name, { type: 'application/json' }));
        document
          .querySelector('.react-flow__pane')
          ?.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
      };
      drop('notes.txt');
      drop('dropped-flow.json');
    });
    await expect.poll(() => invoked(CHANNELS.openPath), { timeout: 10_000 }).toEqual(['/dropped/dropped-flow.json']);
  });

  it('New and Close from the menu act on the tabs', async () => {
    const tabs = () => page.locator('[data-testid="flow-tab"]').count();
    const n = await tabs();
    await emit({ command: 'new' });
    await expect.poll(tabs).toBe(n + 1);
    await emit({ command: 'close' });
    await expect.poll(tabs).toBe(n);
  });
});
