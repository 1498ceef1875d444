/**
 * The desktop shell's main process: starts the runtime and admin server in process, opens the editor from it in a
 * hardened window, and gives it native menus, dialogs and files. Flow files are documents the user chooses; unsaved
 * edits are kept for recovery after a crash; closing the app drains the local runtime.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  app,
  BrowserWindow,
  dialog,
  type IpcMainEvent,
  type IpcMainInvokeEvent,
  ipcMain,
  Menu,
  safeStorage,
  session,
  shell,
} from 'electron';
import { catalog } from '../../nodes/catalog.js';
import type { TokenSeal } from '../server/runners/settings.js';
import { packageVersion } from '../version.js';
import { CHANNELS, type DesktopCommand, type RecoveredDocument, type SaveRequest, type SaveResult } from './bridge.js';
import { fileText, readFlowFile, withJsonExtension, writeFlowFile } from './files.js';
import { hardenContents, hardenSession, isTrustedSender, WEB_PREFERENCES } from './harden.js';
import { type LocalServer, startLocalServer } from './local-server.js';
import { DOCS_URL, type MenuActions, menuTemplate } from './menu.js';
import { RecentFiles } from './recent.js';
import { Recovery } from './recovery.js';
import { loadWindowState, saveWindowState } from './window-state.js';

export interface DesktopOptions {
  /** Default: Electron's userData directory (per OS convention). */
  dataDir?: string;
  /** The built editor; default renderer/dist beside src/ or dist/. */
  staticDir?: string;
  preloadPath?: string;
  /** Command-line arguments that may name flow files; default process.argv. */
  argv?: string[];
}

interface WindowDoc {
  key: string;
  dirty: boolean;
  /** The user chose to close (saved or discarded): let the close through. */
  closing: boolean;
  /** Files this window may write without asking: those the user opened or chose. */
  known: Set<string>;
  /** Commands waiting for the editor to load. */
  pending: DesktopCommand[] | undefined;
}

const here = dirname(fileURLToPath(import.meta.url));
const JSON_FILTER = [{ name: 'Sluice flow', extensions: ['json'] }];

/** Flow files named on a command line (the executable and app path come first; flags are skipped). */
export function flowFilesIn(argv: string[]): string[] {
  return argv.slice(1).filter((a) => !a.startsWith('-') && a.toLowerCase().endsWith('.json'));
}

function keychainSeal(): TokenSeal | undefined {
  if (!safeStorage.isEncryptionAvailable()) return undefined;
  return {
    seal: (t) => `keychain:${safeStorage.encryptString(t).toString('base64')}`,
    unseal: (s) => (s.startsWith('keychain:') ? safeStorage.decryptString(Buffer.from(s.slice(9), 'base64')) : s),
  };
}

export class DesktopApp {
  readonly windows = new Map<BrowserWindow, WindowDoc>();
  private nextWindow = 1;
  private nextRequest = 1;
  private readonly replies = new Map<number, (ok: boolean) => void>();
  private drained = false;
  readonly recent: RecentFiles;
  readonly recovery: Recovery;
  private readonly origin: string;

  constructor(
    readonly server: LocalServer,
    readonly dataDir: string,
    private readonly preloadPath: string,
  ) {
    this.origin = new URL(server.url).origin;
    this.recent = new RecentFiles(join(dataDir, 'recent.json'));
    this.recovery = new Recovery(join(dataDir, 'recovery'));
  }

  get windowStateFile(): string {
    return join(this.dataDir, 'window-state.json');
  }

  // ---- windows ------------------------------------------------------------------------------------------------

  createWindow(): BrowserWindow {
    const bounds = loadWindowState(this.windowStateFile);
    const win = new BrowserWindow({
      ...(bounds.x === undefined ? {} : { x: bounds.x, y: bounds.y }),
      width: bounds.width,
      height: bounds.height,
      minWidth: 900,
      minHeight: 600,
      show: false,
      title: 'Sluice',
      backgroundColor: '#f7f8fa',
      webPreferences: { ...WEB_PREFERENCES, preload: this.preloadPath },
    });
    if (bounds.maximized) win.maximize();
    const doc: WindowDoc = {
      key: `window-${this.nextWindow++}`,
      dirty: false,
      closing: false,
      known: new Set(),
      pending: [],
    };
    this.windows.set(win, doc);
    win.once('ready-to-show', () => win.show());
    win.on('close', (event) => this.onClose(win, event));
    win.on('closed', () => {
      this.recovery.clear(doc.key);
      this.windows.delete(win);
    });
    const contents = win.webContents;
    // The editor's beforeunload guard is for browsers; here the close prompt above has asked already.
    contents.on('will-prevent-unload', (event) => event.preventDefault());
    contents.on('did-finish-load', () => {
      const queued = doc.pending ?? [];
      doc.pending = undefined;
      for (const c of queued) contents.send(CHANNELS.command, c);
    });
    contents.on('render-process-gone', (_event, details) => {
      if (details.reason === 'clean-exit') return;
      // The editor crashed: load it again and give back what it had not saved (its recovery file is current).
      const documents = this.recovery.takeAll();
      doc.pending = documents.length ? [{ command: 'restore', documents }] : [];
      void win.loadURL(this.editorUrl());
    });
    void win.loadURL(this.editorUrl());
    return win;
  }

  editorUrl(): string {
    return `${this.server.url}/#token=${encodeURIComponent(this.server.token)}`;
  }

  /** The window menu actions go to: the focused one, else the first. */
  target(): BrowserWindow | undefined {
    return BrowserWindow.getFocusedWindow() ?? [...this.windows.keys()][0];
  }

  send(win: BrowserWindow, command: DesktopCommand): void {
    const doc = this.windows.get(win);
    if (doc?.pending) doc.pending.push(command);
    else win.webContents.send(CHANNELS.command, command);
  }

  private saveBounds(win: BrowserWindow): void {
    const b = win.getNormalBounds();
    saveWindowState(this.windowStateFile, { ...b, maximized: win.isMaximized() });
  }

  private onClose(win: BrowserWindow, event: { preventDefault(): void }): void {
    const doc = this.windows.get(win);
    this.saveBounds(win);
    if (!doc || doc.closing || !doc.dirty) return;
    event.preventDefault();
    void this.confirmClose(win, doc);
  }

  private async confirmClose(win: BrowserWindow, doc: WindowDoc): Promise<void> {
    const { response } = await dialog.showMessageBox(win, {
      type: 'warning',
      buttons: ['Save', "Don't Save", 'Cancel'],
      defaultId: 0,
      cancelId: 2,
      message: 'Save the changes to your flows before closing?',
      detail: "Your changes are lost if you don't save them.",
    });
    if (response === 2) return;
    if (response === 0 && !(await this.request(win, 'save-all'))) return;
    doc.closing = true;
    this.recovery.clear(doc.key);
    win.close();
  }

  /** Sends a command that expects an answer; false when the editor says no or does not answer within a minute. */
  request(win: BrowserWindow, command: 'save-all'): Promise<boolean> {
    const requestId = this.nextRequest++;
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        this.replies.delete(requestId);
        resolve(false);
      }, 60_000);
      this.replies.set(requestId, (ok) => {
        clearTimeout(timer);
        resolve(ok);
      });
      this.send(win, { command, requestId });
    });
  }

  // ---- files --------------------------------------------------------------------------------------------------

  async openPath(win: BrowserWindow, path: string): Promise<boolean> {
    try {
      const text = await readFlowFile(path);
      this.windows.get(win)?.known.add(path);
      await this.rememberRecent(path);
      this.send(win, { command: 'open', document: { path, text } });
      return true;
    } catch (err) {
      dialog.showErrorBox('Cannot open the flow', `${path}: ${(err as Error).message}`);
      return false;
    }
  }

  private async rememberRecent(path: string): Promise<void> {
    await this.recent.add(path).catch(() => undefined);
    app.addRecentDocument(path);
    this.buildMenu();
  }

  private async chooseOpen(title: string): Promise<string[]> {
    const win = this.target();
    const options = {
      title,
      filters: JSON_FILTER,
      properties: ['openFile', 'multiSelections'] as Array<'openFile' | 'multiSelections'>,
    };
    const r = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
    return r.canceled ? [] : r.filePaths;
  }

  async saveFile(win: BrowserWindow, req: SaveRequest, mode: 'save' | 'export'): Promise<SaveResult> {
    const doc = this.windows.get(win);
    let path = mode === 'save' && !req.saveAs && req.path && doc?.known.has(req.path) ? req.path : undefined;
    if (!path) {
      const r = await dialog.showSaveDialog(win, {
        title: mode === 'export' ? 'Export flow JSON' : 'Save flow',
        defaultPath: req.path ?? join(app.getPath('documents'), req.suggestedName),
        filters: JSON_FILTER,
      });
      if (r.canceled || !r.filePath) return { saved: false };
      path = withJsonExtension(r.filePath);
    }
    try {
      await writeFlowFile(path, fileText(req.text, catalog));
    } catch (err) {
      const reason = `${path}: ${(err as Error).message}`;
      dialog.showErrorBox(mode === 'export' ? 'Not exported' : 'Not saved', reason);
      return { saved: false, reason };
    }
    if (mode === 'save') {
      doc?.known.add(path);
      await this.rememberRecent(path);
    }
    return { saved: true, path };
  }

  // ---- menus and IPC ------------------------------------------------------------------------------------------

  menuActions(): MenuActions {
    const to = (command: DesktopCommand) => () => {
      const win = this.target();
      if (win) this.send(win, command);
    };
    return {
      newFlow: to({ command: 'new' }),
      open: () =>
        void this.chooseOpen('Open flow').then(async (paths) => {
          const win = this.target() ?? this.createWindow();
          for (const p of paths) await this.openPath(win, p);
        }),
      openRecent: (path) => {
        const win = this.target() ?? this.createWindow();
        void this.openPath(win, path);
      },
      clearRecent: () => {
        void this.recent.clear().then(() => this.buildMenu());
        app.clearRecentDocuments();
      },
      save: to({ command: 'save' }),
      saveAs: to({ command: 'save-as' }),
      importFlow: () =>
        void this.chooseOpen('Import flow').then(async (paths) => {
          const win = this.target();
          if (!win) return;
          for (const p of paths) {
            try {
              this.send(win, { command: 'import', text: await readFlowFile(p) });
            } catch (err) {
              dialog.showErrorBox('Cannot import the flow', `${p}: ${(err as Error).message}`);
            }
          }
        }),
      exportJson: to({ command: 'export' }),
      close: to({ command: 'close' }),
      quit: () => app.quit(),
      undo: to({ command: 'undo' }),
      redo: to({ command: 'redo' }),
      docs: () => void shell.openExternal(DOCS_URL),
      about: () =>
        void dialog.showMessageBox({
          type: 'info',
          title: 'About Sluice',
          message: `Sluice ${packageVersion()}`,
          detail: `Electron ${process.versions.electron ?? '?'} · Node ${process.versions.node}\nData: ${this.dataDir}`,
        }),
    };
  }

  buildMenu(): void {
    Menu.setApplicationMenu(
      Menu.buildFromTemplate(menuTemplate(this.menuActions(), this.recent.paths(), process.platform)),
    );
  }

  /** The window an IPC message came from, when it is one of ours and from the editor's own frame; else undefined. */
  private senderWindow(event: IpcMainEvent | IpcMainInvokeEvent): BrowserWindow | undefined {
    if (!isTrustedSender(event, this.origin)) return undefined;
    const win = BrowserWindow.fromWebContents(event.sender);
    return win && this.windows.has(win) ? win : undefined;
  }

  registerIpc(): void {
    const refused = () => new Error('refused: this request did not come from the Sluice editor');
    ipcMain.handle(CHANNELS.saveFile, async (event, req: SaveRequest) => {
      const win = this.senderWindow(event);
      if (!win) throw refused();
      return this.saveFile(win, req, 'save');
    });
    ipcMain.handle(CHANNELS.exportFile, async (event, req: SaveRequest) => {
      const win = this.senderWindow(event);
      if (!win) throw refused();
      return this.saveFile(win, req, 'export');
    });
    ipcMain.handle(CHANNELS.openPath, async (event, path: unknown) => {
      const win = this.senderWindow(event);
      if (!win) throw refused();
      if (typeof path !== 'string' || path === '') return false;
      return this.openPath(win, path);
    });
    ipcMain.on(CHANNELS.setState, (event, state: { dirty?: unknown; title?: unknown }) => {
      const win = this.senderWindow(event);
      const doc = win && this.windows.get(win);
      if (!win || !doc) return;
      doc.dirty = state?.dirty === true;
      win.setTitle(`${typeof state?.title === 'string' && state.title ? `${state.title} — ` : ''}Sluice`);
      win.setDocumentEdited(doc.dirty);
    });
    ipcMain.on(CHANNELS.backup, (event, documents: RecoveredDocument[]) => {
      const win = this.senderWindow(event);
      const doc = win && this.windows.get(win);
      if (!doc || !Array.isArray(documents)) return;
      void this.recovery.save(doc.key, documents).catch(() => undefined);
    });
    ipcMain.on(CHANNELS.reply, (event, requestId: unknown, ok: unknown) => {
      if (!this.senderWindow(event)) return;
      const resolve = this.replies.get(Number(requestId));
      this.replies.delete(Number(requestId));
      resolve?.(ok === true);
    });
  }

  /** Drains the local runtime once, then lets the quit go on. */
  onWillQuit(event: { preventDefault(): void }): void {
    if (this.drained) return;
    event.preventDefault();
    void this.server
      .close()
      .catch(() => undefined)
      .finally(() => {
        this.drained = true;
        app.quit();
      });
  }

  /** Unsaved edits a crashed earlier run left: offered back in the first window. */
  async offerRecovery(win: BrowserWindow): Promise<void> {
    const documents = this.recovery.takeAll();
    if (documents.length === 0) return;
    const { response } = await dialog.showMessageBox(win, {
      type: 'question',
      buttons: ['Restore', 'Discard'],
      defaultId: 0,
      cancelId: 1,
      message: `Sluice did not close normally. Restore the unsaved changes to ${documents.length} flow${documents.length === 1 ? '' : 's'}?`,
    });
    if (response === 0) {
      for (const d of documents) if (d.path) this.windows.get(win)?.known.add(d.path);
      this.send(win, { command: 'restore', documents });
    }
  }
}

export async function startDesktop(options: DesktopOptions = {}): Promise<DesktopApp | undefined> {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return undefined;
  }
  await app.whenReady();
  const dataDir = options.dataDir ?? app.getPath('userData');
  mkdirSync(dataDir, { recursive: true });
  const server = await startLocalServer({
    dataDir,
    staticDir: options.staticDir ?? join(here, '../../renderer/dist'),
    seal: keychainSeal(),
  });
  const desktop = new DesktopApp(server, dataDir, options.preloadPath ?? join(here, 'preload.cjs'));
  const origin = new URL(server.url).origin;
  hardenSession(session.defaultSession, origin);
  app.on('web-contents-created', (_event, contents) => hardenContents(contents, origin, shell));
  desktop.registerIpc();
  desktop.buildMenu();
  const win = desktop.createWindow();
  await desktop.offerRecovery(win);
  for (const path of flowFilesIn(options.argv ?? process.argv)) await desktop.openPath(win, path);

  app.on('second-instance', (_event, argv) => {
    const target = desktop.target() ?? desktop.createWindow();
    if (target.isMinimized()) target.restore();
    target.focus();
    for (const path of flowFilesIn(argv)) void desktop.openPath(target, path);
  });
  app.on('open-file', (event, path) => {
    event.preventDefault();
    const target = desktop.target() ?? desktop.createWindow();
    void desktop.openPath(target, path);
  });
  app.on('activate', () => {
    if (desktop.windows.size === 0) desktop.createWindow();
  });
  app.on('window-all-closed', () => app.quit());
  app.on('will-quit', (event) => desktop.onWillQuit(event));
  return desktop;
}
