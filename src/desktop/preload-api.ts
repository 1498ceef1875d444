/**
 * The bridge the preload exposes, built over an ipcRenderer-like object: only these calls, each with its arguments
 * checked, so a compromised page can ask for nothing else. Kept apart from preload.ts so a browser test can build the
 * same bridge over a recording stand-in.
 */
import { CHANNELS, type DesktopCommand, type SaveRequest, type SluiceDesktopApi } from './bridge.js';

export interface IpcLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  send(channel: string, ...args: unknown[]): void;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

function saveRequest(r: SaveRequest): SaveRequest {
  if (typeof r?.text !== 'string' || typeof r.suggestedName !== 'string') throw new TypeError('bad save request');
  return {
    text: r.text,
    suggestedName: r.suggestedName,
    ...(typeof r.path === 'string' ? { path: r.path } : {}),
    ...(r.saveAs === true ? { saveAs: true } : {}),
  };
}

export function createDesktopApi(
  ipc: IpcLike,
  pathForFile: (file: File) => string,
  platform: string,
): SluiceDesktopApi {
  return {
    platform,
    onCommand(listener) {
      // The event object (with its sender) never reaches the page.
      const wrapped = (_event: unknown, command: unknown) => listener(command as DesktopCommand);
      ipc.on(CHANNELS.command, wrapped);
      return () => {
        ipc.removeListener(CHANNELS.command, wrapped);
      };
    },
    saveFile: (r) => ipc.invoke(CHANNELS.saveFile, saveRequest(r)) as ReturnType<SluiceDesktopApi['saveFile']>,
    exportFile: (r) => ipc.invoke(CHANNELS.exportFile, saveRequest(r)) as ReturnType<SluiceDesktopApi['exportFile']>,
    openDropped: async (file) => (await ipc.invoke(CHANNELS.openPath, pathForFile(file))) === true,
    setState: (s) => ipc.send(CHANNELS.setState, { dirty: s.dirty === true, title: String(s.title ?? '') }),
    backup: (docs) =>
      ipc.send(
        CHANNELS.backup,
        (Array.isArray(docs) ? docs : []).map((d) => ({
          ...(typeof d.path === 'string' ? { path: d.path } : {}),
          name: String(d.name),
          text: String(d.text),
        })),
      ),
    reply: (requestId, ok) => ipc.send(CHANNELS.reply, Number(requestId), ok === true),
  };
}
