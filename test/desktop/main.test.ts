/**
 * The desktop shell's main process under a test double of `electron`: the in-process server, the hardened window,
 * menus, dialogs and files, IPC sender checks, navigation, the unsaved-changes prompt, crash recovery and the drain
 * on quit. The server, the files and the flow store are real.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CHANNELS, type DesktopCommand } from '../../src/desktop/bridge.js';
import { startRunner } from '../support/runner.js';
import {
  app,
  dialog,
  FakeBrowserWindow,
  fakeEvent,
  ipcMain,
  Menu,
  safeStorage,
  session,
  shell,
} from './electron-double.js';

vi.mock('electron', async () => import('./electron-double.js'));

const { startDesktop, flowFilesIn, DesktopApp } = await import('../../src/desktop/app.js');

let dir: string;
let desktop: InstanceType<typeof DesktopApp>;
let win: FakeBrowserWindow;
let origin: string;
let opened: string;
let spare: FakeBrowserWindow;

const flowWithSecret = (id: string) => ({
  format: 'sluice/flow@1',
  id,
  name: `Desktop ${id}`,
  connections: [
    {
      id: 'broker',
      kind: 'mqtt',
      config: { url: 'mqtt://127.0.0.1:1883', username: 'u', password: 'hunter2-literal' },
    },
  ],
  nodes: [
    { id: 'gen', type: 'generate', position: { x: 0, y: 0 }, config: {} },
    { id: 'out', type: 'mqtt-out', position: { x: 200, y: 0 }, config: { connection: 'broker', topic: 't' } },
  ],
  edges: [{ source: 'gen', sourcePort: 'out', target: 'out', targetPort: 'in' }],
});

const trusted = () => ({ sender: win.webContents, senderFrame: { url: `${origin}/`, parent: null } });
const commands = (w = win) =>
  w.webContents.sent.filter((s) => s.channel === CHANNELS.command).map((s) => s.args[0] as DesktopCommand);
const until = async (what: string, ok: () => boolean) => {
  const end = Date.now() + 10_000;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};
const click = (label: string) => {
  const item = Menu.item(label);
  if (!item?.click) throw new Error(`no menu item "${label}"`);
  (item.click as () => void)();
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-desktop-'));
  app.paths = { userData: join(dir, 'data'), documents: join(dir, 'docs') };
  opened = join(dir, 'opened-flow.json');
  await writeFile(opened, JSON.stringify(flowWithSecret('opened')));
  const started = await startDesktop({ argv: ['sluice-desktop', '--inspect', opened], staticDir: join(dir, 'none') });
  if (!started) throw new Error('no desktop');
  desktop = started;
  win = FakeBrowserWindow.all[0];
  origin = new URL(desktop.server.url).origin;
}, 60_000);

afterAll(async () => {
  await desktop?.server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('the desktop main process', () => {
  it('runs the admin server on 127.0.0.1 with a random port and token and loads the editor from it', async () => {
    expect(desktop.server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(win.urls).toEqual([`${desktop.server.url}/#token=${desktop.server.token}`]);
    expect(desktop.server.token).toMatch(/^[0-9a-f]{48}$/);
    expect((await fetch(`${desktop.server.url}/api/health`)).status).toBe(401);
    const health = await fetch(`${desktop.server.url}/api/health`, {
      headers: { authorization: `Bearer ${desktop.server.token}` },
    });
    expect(await health.json()).toMatchObject({ ok: true, role: 'editor' });
    // Its data directory is Electron's per-OS userData.
    expect(existsSync(join(dir, 'data', 'flows'))).toBe(true);
  });

  it('keeps remote runners in its data directory with each token sealed by the OS keychain', async () => {
    const runner = await startRunner();
    try {
      const res = await fetch(`${desktop.server.url}/api/runners`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${desktop.server.token}`,
          'content-type': 'application/json',
          'x-sluice-client': 'test',
        },
        body: JSON.stringify({ name: 'edge', url: runner.url, token: runner.token }),
      });
      expect(res.status).toBe(201);
      const stored = await readFile(join(dir, 'data', 'runners.json'), 'utf8');
      expect(stored).not.toContain(runner.token);
      const sealed = (JSON.parse(stored) as { runners: Array<{ token: string }> }).runners[0].token;
      expect(sealed).toMatch(/^keychain:/);
      // What the keychain (the double's safeStorage) gives back is the token.
      expect(safeStorage.decryptString(Buffer.from(sealed.slice(9), 'base64'))).toBe(runner.token);
    } finally {
      await runner.stop();
    }
  }, 60_000);

  it('opens the window with secure defaults', () => {
    expect(win.options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      webviewTag: false,
    });
    expect(String((win.options.webPreferences as { preload: string }).preload)).toMatch(/preload\.cjs$/);
  });

  it('queues commands until the editor has loaded; a flow named on the command line opens then', async () => {
    expect(win.webContents.sent).toEqual([]);
    win.webContents.emit('did-finish-load');
    expect(commands()).toEqual([{ command: 'open', document: { path: opened, text: await readFile(opened, 'utf8') } }]);
    expect(flowFilesIn(['electron', '.', 'a.json', '--flag', 'b.txt'])).toEqual(['a.json']);
  });

  it('has the File, Edit, View and Help menus with the editor accelerators', () => {
    const menu = Menu.templates.at(-1) ?? [];
    expect(menu.map((m) => m.label ?? m.role)).toEqual(expect.arrayContaining(['File', 'Edit', 'View', 'Help']));
    const accel = (label: string) => Menu.item(label)?.accelerator;
    expect(accel('New Flow')).toBe('CmdOrCtrl+N');
    expect(accel('Open…')).toBe('CmdOrCtrl+O');
    expect(accel('Save')).toBe('CmdOrCtrl+S');
    expect(accel('Save As…')).toBe('CmdOrCtrl+Shift+S');
    expect(accel('Import…')).toBe('CmdOrCtrl+I');
    expect(accel('Export JSON…')).toBe('CmdOrCtrl+E');
    expect(accel('Close Flow')).toBe('CmdOrCtrl+W');
    expect(accel('Undo')).toBe('CmdOrCtrl+Z');
    // The editing keys reach the editor (canvas undo, node copy/paste) instead of being taken by the menu.
    expect(Menu.item('Undo')?.registerAccelerator).toBe(false);
    expect(Menu.item('Paste')?.registerAccelerator).toBe(false);
    const view = menu.find((m) => m.label === 'View')?.submenu as Array<{ role?: string }>;
    expect(view.map((i) => i.role)).toEqual(
      expect.arrayContaining(['zoomIn', 'zoomOut', 'resetZoom', 'toggleDevTools']),
    );
    // The command-line file is in Open Recent.
    expect(Menu.item('opened-flow.json')).toBeDefined();
  });

  it('sends menu actions to the editor', () => {
    win.webContents.sent.length = 0;
    for (const label of ['New Flow', 'Save', 'Save As…', 'Export JSON…', 'Close Flow', 'Undo', 'Redo']) click(label);
    expect(commands().map((c) => c.command)).toEqual(['new', 'save', 'save-as', 'export', 'close', 'undo', 'redo']);
    click('Documentation');
    expect(shell.opened.at(-1)).toMatch(/^https:\/\//);
  });

  it('opens a file chosen in the Open dialog, and imports one chosen in the Import dialog', async () => {
    const other = join(dir, 'chosen.json');
    await writeFile(other, JSON.stringify(flowWithSecret('chosen')));
    win.webContents.sent.length = 0;
    dialog.openResults.push({ canceled: false, filePaths: [other] });
    click('Open…');
    await until('the open command', () => commands().length > 0);
    expect(commands()[0]).toMatchObject({ command: 'open', document: { path: other } });
    expect(app.recentDocuments).toContain(other);
    expect(Menu.item('chosen.json')).toBeDefined();

    dialog.openResults.push({ canceled: false, filePaths: [other] });
    click('Import…');
    await until('the import command', () => commands().length > 1);
    expect(commands()[1]).toEqual({ command: 'import', text: await readFile(other, 'utf8') });

    // Not a flow file: said in an error box, nothing sent.
    const notes = join(dir, 'notes.txt');
    await writeFile(notes, 'hello');
    dialog.openResults.push({ canceled: false, filePaths: [notes] });
    click('Open…');
    await until('the error box', () => dialog.errors.length > 0);
    expect(dialog.errors.at(-1)?.content).toContain('notes.txt is not a flow file (.json)');
    expect(commands()).toHaveLength(2);
  });

  it('saves to the opened file without asking, and never writes a literal secret', async () => {
    const save = ipcMain.handlers.get(CHANNELS.saveFile);
    const text = JSON.stringify(flowWithSecret('opened'));
    const asked = dialog.calls.length;
    const r = await save?.(trusted(), { text, suggestedName: 'opened.json', path: opened });
    expect(r).toEqual({ saved: true, path: opened });
    expect(dialog.calls.length).toBe(asked);
    const written = await readFile(opened, 'utf8');
    expect(written).not.toContain('hunter2-literal');
    expect(JSON.parse(written).connections[0].config).toEqual({ url: 'mqtt://127.0.0.1:1883', username: 'u' });
  });

  it('asks where to save a path it did not give out (and Save As), adding .json', async () => {
    const save = ipcMain.handlers.get(CHANNELS.saveFile);
    const target = join(dir, 'saved-as');
    dialog.saveResults.push({ canceled: false, filePath: target });
    const r = await save?.(trusted(), {
      text: JSON.stringify(flowWithSecret('x')),
      suggestedName: 'x.json',
      path: '/etc/some-file-the-page-made-up.json',
    });
    expect(r).toEqual({ saved: true, path: `${target}.json` });
    expect(dialog.calls.at(-1)?.kind).toBe('save');
    // Cancelled: nothing written.
    const r2 = await save?.(trusted(), { text: '{}', suggestedName: 'y.json', saveAs: true, path: opened });
    expect(r2).toEqual({ saved: false });
  });

  it('exports where the user chooses, secrets stripped, without making it the document or a recent file', async () => {
    const exportFile = ipcMain.handlers.get(CHANNELS.exportFile);
    const target = join(dir, 'export.json');
    dialog.saveResults.push({ canceled: false, filePath: target });
    const r = await exportFile?.(trusted(), { text: JSON.stringify(flowWithSecret('e')), suggestedName: 'e.json' });
    expect(r).toEqual({ saved: true, path: target });
    expect(await readFile(target, 'utf8')).not.toContain('hunter2-literal');
    expect(app.recentDocuments).not.toContain(target);
  });

  it('refuses IPC from anything but the editor frame at its own origin', async () => {
    const save = ipcMain.handlers.get(CHANNELS.saveFile);
    const text = JSON.stringify(flowWithSecret('opened'));
    const evil = { sender: win.webContents, senderFrame: { url: 'https://evil.example/', parent: null } };
    await expect(save?.(evil, { text, suggestedName: 'a.json', path: opened })).rejects.toThrow(
      'refused: this request did not come from the Sluice editor',
    );
    const subframe = { sender: win.webContents, senderFrame: { url: `${origin}/`, parent: {} } };
    await expect(save?.(subframe, { text, suggestedName: 'a.json', path: opened })).rejects.toThrow('refused');
    const stranger = { sender: {}, senderFrame: { url: `${origin}/`, parent: null } };
    await expect(ipcMain.handlers.get(CHANNELS.openPath)?.(stranger, opened)).rejects.toThrow('refused');
    // A listener ignores it.
    ipcMain.listeners.get(CHANNELS.setState)?.(evil, { dirty: true, title: 'evil' });
    expect(win.title).not.toContain('evil');
  });

  it('denies new windows and navigation; web links go to the system browser, other schemes nowhere', () => {
    const handler = win.webContents.windowOpenHandler;
    expect(handler?.({ url: 'https://example.com/docs' })).toEqual({ action: 'deny' });
    expect(shell.opened.at(-1)).toBe('https://example.com/docs');
    expect(handler?.({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    expect(shell.opened.at(-1)).toBe('https://example.com/docs');

    const away = fakeEvent();
    win.webContents.emit('will-navigate', away, 'https://evil.example/');
    expect(away.defaultPrevented).toBe(true);
    const home = fakeEvent();
    win.webContents.emit('will-navigate', home, `${origin}/#flow=x`);
    expect(home.defaultPrevented).toBe(false);
    const webview = fakeEvent();
    win.webContents.emit('will-attach-webview', webview);
    expect(webview.defaultPrevented).toBe(true);
  });

  it('sets a strict CSP, grants no permission and loads no remote content', () => {
    const s = session.defaultSession;
    let headers: Record<string, string[]> | undefined;
    s.headersListener?.({ url: `${origin}/`, responseHeaders: {} }, (r) => {
      headers = r.responseHeaders;
    });
    const csp = headers?.['Content-Security-Policy']?.[0] ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain(`connect-src 'self' ${origin.replace('http', 'ws')}`);
    let granted: boolean | undefined;
    s.permissionHandler?.({}, 'media', (ok) => {
      granted = ok;
    });
    expect(granted).toBe(false);
    const cancelled = (url: string) => {
      let c: boolean | undefined;
      s.requestListener?.({ url }, (r) => {
        c = r.cancel;
      });
      return c;
    };
    expect(cancelled('https://cdn.example.com/font.woff2')).toBe(true);
    expect(cancelled(`${origin}/assets/index.js`)).toBe(false);
  });

  it('keeps unsaved edits for recovery and offers them back after a crash', async () => {
    const docs = [{ path: opened, name: 'Desktop opened', text: '{"format":"sluice/flow@1","nodes":[]}' }];
    ipcMain.listeners.get(CHANNELS.backup)?.(trusted(), docs);
    await until('the recovery file', () => existsSync(join(dir, 'data', 'recovery', 'window-1.json')));

    // The editor's renderer crashes: the window reloads it and gives back the edits once it has loaded.
    win.webContents.sent.length = 0;
    win.webContents.emit('render-process-gone', fakeEvent(), { reason: 'crashed' });
    expect(win.urls).toHaveLength(2);
    expect(commands()).toEqual([]);
    win.webContents.emit('did-finish-load');
    expect(commands()).toEqual([{ command: 'restore', documents: docs }]);

    // The whole app died: the next start asks, then restores.
    ipcMain.listeners.get(CHANNELS.backup)?.(trusted(), docs);
    await until('the recovery file again', () => existsSync(join(dir, 'data', 'recovery', 'window-1.json')));
    const next = new DesktopApp(desktop.server, join(dir, 'data'), 'preload.cjs');
    const second = next.createWindow() as unknown as FakeBrowserWindow;
    second.webContents.emit('did-finish-load');
    dialog.messageResponses.push(0);
    await next.offerRecovery(second as unknown as Parameters<typeof next.offerRecovery>[0]);
    expect(String((dialog.calls.at(-1)?.options as { message?: string } | undefined)?.message)).toContain(
      'Sluice did not close normally. Restore the unsaved changes to 1 flow?',
    );
    expect(commands(second)).toEqual([{ command: 'restore', documents: docs }]);
    expect(await readdir(join(dir, 'data', 'recovery'))).toEqual([]);
    second.close();
  });

  it('reflects unsaved changes in the title and asks before closing: Cancel keeps it, Save saves first', async () => {
    // A second window stays open, so closing this one does not quit the app yet.
    spare = desktop.createWindow() as unknown as FakeBrowserWindow;
    ipcMain.listeners.get(CHANNELS.setState)?.(trusted(), { dirty: true, title: 'Desktop opened' });
    expect(win.title).toBe('Desktop opened — Sluice');
    expect(win.edited).toBe(true);

    dialog.messageResponses.push(2);
    win.close();
    await until('the prompt', () => dialog.calls.at(-1)?.kind === 'message');
    await new Promise((r) => setTimeout(r, 20));
    expect(win.destroyed).toBe(false);

    // Save: the editor is asked to save everything; once it says it did, the window closes.
    win.webContents.sent.length = 0;
    dialog.messageResponses.push(0);
    win.close();
    await until('the save-all request', () => commands().some((c) => c.command === 'save-all'));
    const request = commands().find((c) => c.command === 'save-all') as { requestId: number };
    expect(win.destroyed).toBe(false);
    ipcMain.listeners.get(CHANNELS.reply)?.(trusted(), request.requestId, true);
    await until('the window to close', () => win.destroyed);
    // Its window size and position are remembered.
    expect(JSON.parse(await readFile(join(dir, 'data', 'window-state.json'), 'utf8'))).toEqual({
      x: 40,
      y: 30,
      width: 1280,
      height: 820,
      maximized: false,
    });
  });

  it("Don't Save closes at once; quitting drains the local runtime before the app exits", async () => {
    const w = spare;
    win = w;
    w.webContents.emit('did-finish-load');
    ipcMain.listeners.get(CHANNELS.setState)?.(trusted(), { dirty: true, title: 'x' });
    dialog.messageResponses.push(1);
    const quitsBefore = app.quits;
    w.close();
    await until('the window to close', () => w.destroyed);
    // The last window closed: the app quits, after the server drained and closed.
    await until('the second quit', () => app.quits >= quitsBefore + 2);
    await expect(fetch(`${desktop.server.url}/api/health`)).rejects.toThrow();
  });
});
