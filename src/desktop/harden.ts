/**
 * The window's defences: no navigation away from the editor, no new windows (web links go to the system browser),
 * a strict content security policy on every response, no permissions, and IPC accepted only from the editor's frame.
 */
import type { IpcMainEvent, IpcMainInvokeEvent, Session, Shell, WebContents } from 'electron';
import { CSP } from '../server/static.js';

/** The server's own policy, tightened: scripts, styles and connections only to the editor's origin. */
export function desktopCsp(origin: string): string {
  const ws = origin.replace(/^http/, 'ws');
  return `${CSP}; script-src 'self'; connect-src 'self' ${ws}; frame-src 'none'; worker-src 'self' blob:`;
}

export const WEB_PREFERENCES = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  webviewTag: false,
  spellcheck: false,
  navigateOnDragDrop: false,
} as const;

function sameOrigin(url: string, origin: string): boolean {
  try {
    return new URL(url).origin === origin;
  } catch {
    return false;
  }
}

/** Only http(s) links leave for the system browser; anything else (file:, javascript:, custom schemes) is dropped. */
function openOutside(url: string, shell: Pick<Shell, 'openExternal'>): void {
  if (/^https?:\/\//i.test(url)) void shell.openExternal(url);
}

export function hardenContents(contents: WebContents, origin: string, shell: Pick<Shell, 'openExternal'>): void {
  contents.setWindowOpenHandler(({ url }) => {
    openOutside(url, shell);
    return { action: 'deny' };
  });
  contents.on('will-navigate', (event, url) => {
    if (sameOrigin(url, origin)) return;
    event.preventDefault();
    openOutside(url, shell);
  });
  contents.on('will-redirect', (event, url) => {
    if (!sameOrigin(url, origin)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

export function hardenSession(session: Session, origin: string): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  const csp = desktopCsp(origin);
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [csp] } });
  });
  // No remote content: the editor's origin only (devtools and the app's own schemes aside).
  session.webRequest.onBeforeRequest((details, callback) => {
    const ok =
      sameOrigin(details.url, origin) ||
      details.url.startsWith(origin.replace(/^http/, 'ws')) ||
      /^(devtools|data|blob|chrome-extension):/.test(details.url);
    callback({ cancel: !ok });
  });
}

/** True when an IPC message comes from the editor's top frame at the editor's origin. */
export function isTrustedSender(event: IpcMainEvent | IpcMainInvokeEvent, origin: string): boolean {
  const frame = event.senderFrame;
  if (!frame || frame.parent) return false;
  return sameOrigin(frame.url, origin);
}
