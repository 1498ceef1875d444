/**
 * A test double for the `electron` module: records windows, menus, dialogs, IPC handlers and what was sent, so the
 * desktop shell's main process and preload run under vitest without the Electron binary (which cannot be downloaded
 * here). Dialog answers are queued by the test.
 */
import type { MenuItemConstructorOptions } from 'electron';

type Listener = (...args: unknown[]) => unknown;

class Emitter {
  readonly listeners = new Map<string, Listener[]>();
  on(event: string, fn: Listener): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), fn]);
    return this;
  }
  once(event: string, fn: Listener): this {
    const wrapped: Listener = (...args) => {
      this.off(event, wrapped);
      return fn(...args);
    };
    return this.on(event, wrapped);
  }
  off(event: string, fn: Listener): this {
    this.listeners.set(
      event,
      (this.listeners.get(event) ?? []).filter((f) => f !== fn),
    );
    return this;
  }
  removeListener(event: string, fn: Listener): this {
    return this.off(event, fn);
  }
  emit(event: string, ...args: unknown[]): boolean {
    const fns = this.listeners.get(event) ?? [];
    for (const fn of fns) fn(...args);
    return fns.length > 0;
  }
}

/** An event whose preventDefault is recorded. */
export function fakeEvent(extra: Record<string, unknown> = {}) {
  return {
    defaultPrevented: false,
    preventDefault() {
      this.defaultPrevented = true;
    },
    ...extra,
  };
}

export class FakeWebContents extends Emitter {
  readonly sent: Array<{ channel: string; args: unknown[] }> = [];
  windowOpenHandler: ((details: { url: string }) => { action: string }) | undefined;
  send(channel: string, ...args: unknown[]): void {
    this.sent.push({ channel, args });
  }
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.windowOpenHandler = handler;
  }
}

export class FakeBrowserWindow extends Emitter {
  static all: FakeBrowserWindow[] = [];
  static focused: FakeBrowserWindow | undefined;
  static getFocusedWindow(): FakeBrowserWindow | null {
    return FakeBrowserWindow.focused ?? null;
  }
  static fromWebContents(wc: unknown): FakeBrowserWindow | null {
    return FakeBrowserWindow.all.find((w) => w.webContents === wc) ?? null;
  }
  readonly webContents = new FakeWebContents();
  readonly urls: string[] = [];
  title = '';
  edited = false;
  destroyed = false;
  maximized = false;
  constructor(readonly options: Record<string, unknown>) {
    super();
    FakeBrowserWindow.all.push(this);
    app.emit('web-contents-created', fakeEvent(), this.webContents);
  }
  loadURL(url: string): Promise<void> {
    this.urls.push(url);
    // For the bundle's smoke test, which runs the built main process in a child process.
    if (process.env.SLUICE_TEST_ELECTRON_REPORT) process.stdout.write(`electron-double: loadURL ${url}\n`);
    return Promise.resolve();
  }
  show(): void {}
  maximize(): void {
    this.maximized = true;
  }
  isMaximized(): boolean {
    return this.maximized;
  }
  isMinimized(): boolean {
    return false;
  }
  restore(): void {}
  focus(): void {}
  getNormalBounds() {
    return { x: 40, y: 30, width: 1280, height: 820 };
  }
  setTitle(title: string): void {
    this.title = title;
  }
  setDocumentEdited(edited: boolean): void {
    this.edited = edited;
  }
  /** As Electron does: a `close` event that may be prevented, then `closed`. */
  close(): void {
    const e = fakeEvent();
    this.emit('close', e);
    if (e.defaultPrevented) return;
    this.destroyed = true;
    this.emit('closed');
    FakeBrowserWindow.all = FakeBrowserWindow.all.filter((w) => w !== this);
    if (FakeBrowserWindow.all.length === 0) app.emit('window-all-closed');
  }
}

export const Menu = {
  templates: [] as MenuItemConstructorOptions[][],
  buildFromTemplate(template: MenuItemConstructorOptions[]) {
    return { template };
  },
  setApplicationMenu(menu: { template: MenuItemConstructorOptions[] }) {
    Menu.templates.push(menu.template);
  },
  /** The current menu's item with this label, searched through submenus. */
  item(label: string): MenuItemConstructorOptions | undefined {
    const find = (items: MenuItemConstructorOptions[]): MenuItemConstructorOptions | undefined => {
      for (const i of items) {
        if (i.label === label) return i;
        if (Array.isArray(i.submenu)) {
          const hit = find(i.submenu as MenuItemConstructorOptions[]);
          if (hit) return hit;
        }
      }
      return undefined;
    };
    return find(Menu.templates.at(-1) ?? []);
  },
};

export const dialog = {
  openResults: [] as Array<{ canceled: boolean; filePaths: string[] }>,
  saveResults: [] as Array<{ canceled: boolean; filePath?: string }>,
  messageResponses: [] as number[],
  calls: [] as Array<{ kind: string; options: unknown }>,
  errors: [] as Array<{ title: string; content: string }>,
  async showOpenDialog(...args: unknown[]) {
    dialog.calls.push({ kind: 'open', options: args.at(-1) });
    return dialog.openResults.shift() ?? { canceled: true, filePaths: [] };
  },
  async showSaveDialog(...args: unknown[]) {
    dialog.calls.push({ kind: 'save', options: args.at(-1) });
    return dialog.saveResults.shift() ?? { canceled: true };
  },
  async showMessageBox(...args: unknown[]) {
    dialog.calls.push({ kind: 'message', options: args.at(-1) });
    return { response: dialog.messageResponses.shift() ?? 0 };
  },
  showErrorBox(title: string, content: string) {
    dialog.errors.push({ title, content });
  },
};

export const ipcMain = {
  handlers: new Map<string, Listener>(),
  listeners: new Map<string, Listener>(),
  handle(channel: string, fn: Listener) {
    ipcMain.handlers.set(channel, fn);
  },
  on(channel: string, fn: Listener) {
    ipcMain.listeners.set(channel, fn);
  },
};

class FakeApp extends Emitter {
  quits = 0;
  readonly recentDocuments: string[] = [];
  paths: Record<string, string> = process.env.SLUICE_TEST_ELECTRON_USERDATA
    ? { userData: process.env.SLUICE_TEST_ELECTRON_USERDATA, documents: process.env.SLUICE_TEST_ELECTRON_USERDATA }
    : {};
  whenReady() {
    return Promise.resolve();
  }
  getPath(name: string): string {
    const p = this.paths[name];
    if (!p) throw new Error(`the test set no path for ${name}`);
    return p;
  }
  requestSingleInstanceLock() {
    return true;
  }
  quit() {
    this.quits++;
    const e = fakeEvent();
    this.emit('will-quit', e);
  }
  exit() {}
  addRecentDocument(path: string) {
    this.recentDocuments.push(path);
  }
  clearRecentDocuments() {
    this.recentDocuments.length = 0;
  }
}
export const app = new FakeApp();

export const shell = {
  opened: [] as string[],
  async openExternal(url: string) {
    shell.opened.push(url);
  },
};

export const safeStorage = {
  isEncryptionAvailable: () => true,
  encryptString: (s: string) => Buffer.from([...s].reverse().join(''), 'utf8'),
  decryptString: (b: Buffer) => [...b.toString('utf8')].reverse().join(''),
};

type HeadersListener = (
  details: { url: string; responseHeaders?: Record<string, string[]> },
  cb: (r: { responseHeaders?: Record<string, string[]> }) => void,
) => void;
type RequestListener = (details: { url: string }, cb: (r: { cancel: boolean }) => void) => void;

export const session = {
  defaultSession: {
    permissionHandler: undefined as undefined | ((wc: unknown, permission: string, cb: (ok: boolean) => void) => void),
    permissionCheck: undefined as undefined | (() => boolean),
    headersListener: undefined as undefined | HeadersListener,
    requestListener: undefined as undefined | RequestListener,
    setPermissionRequestHandler(fn: (wc: unknown, permission: string, cb: (ok: boolean) => void) => void) {
      session.defaultSession.permissionHandler = fn;
    },
    setPermissionCheckHandler(fn: () => boolean) {
      session.defaultSession.permissionCheck = fn;
    },
    webRequest: {
      onHeadersReceived(fn: HeadersListener) {
        session.defaultSession.headersListener = fn;
      },
      onBeforeRequest(fn: RequestListener) {
        session.defaultSession.requestListener = fn;
      },
    },
  },
};

// ---- the renderer side (preload) ----

export const contextBridge = {
  exposed: {} as Record<string, unknown>,
  exposeInMainWorld(key: string, api: unknown) {
    contextBridge.exposed[key] = api;
  },
};

export const ipcRenderer = Object.assign(new Emitter(), {
  invoked: [] as Array<{ channel: string; args: unknown[] }>,
  sentToMain: [] as Array<{ channel: string; args: unknown[] }>,
  async invoke(channel: string, ...args: unknown[]) {
    ipcRenderer.invoked.push({ channel, args });
    return true;
  },
  send(channel: string, ...args: unknown[]) {
    ipcRenderer.sentToMain.push({ channel, args });
  },
});

export const webUtils = {
  getPathForFile: (file: { name: string }) => `/dropped/${file.name}`,
};

export const BrowserWindow = FakeBrowserWindow;
export default {
  app,
  BrowserWindow,
  Menu,
  dialog,
  ipcMain,
  shell,
  safeStorage,
  session,
  contextBridge,
  ipcRenderer,
  webUtils,
};
