/** The preload under a test double of `electron`: one minimal API in the main world, arguments checked. */
import { describe, expect, it, vi } from 'vitest';
import { CHANNELS, type DesktopCommand, type SluiceDesktopApi } from '../../src/desktop/bridge.js';
import { contextBridge, ipcRenderer } from './electron-double.js';

vi.mock('electron', async () => import('./electron-double.js'));
await import('../../src/desktop/preload.js');

const api = contextBridge.exposed.sluiceDesktop as SluiceDesktopApi;

describe('the preload', () => {
  it('exposes only window.sluiceDesktop, with only the editor calls', () => {
    expect(Object.keys(contextBridge.exposed)).toEqual(['sluiceDesktop']);
    expect(Object.keys(api).sort()).toEqual(
      ['backup', 'exportFile', 'onCommand', 'openDropped', 'platform', 'reply', 'saveFile', 'setState'].sort(),
    );
  });

  it('passes commands without the IPC event, and unsubscribes', () => {
    const got: DesktopCommand[] = [];
    const off = api.onCommand((c) => got.push(c));
    const sender = { secret: 'the event must not reach the page' };
    ipcRenderer.emit(CHANNELS.command, { sender }, { command: 'save' });
    off();
    ipcRenderer.emit(CHANNELS.command, { sender }, { command: 'new' });
    expect(got).toEqual([{ command: 'save' }]);
  });

  it('sends only the known fields of a save request, and checks their types', async () => {
    await api.saveFile({
      text: '{}',
      suggestedName: 'a.json',
      path: '/x/a.json',
      extra: 'dropped',
    } as unknown as Parameters<SluiceDesktopApi['saveFile']>[0]);
    expect(ipcRenderer.invoked.at(-1)).toEqual({
      channel: CHANNELS.saveFile,
      args: [{ text: '{}', suggestedName: 'a.json', path: '/x/a.json' }],
    });
    expect(() => api.exportFile({ text: 1 } as unknown as Parameters<SluiceDesktopApi['exportFile']>[0])).toThrow(
      'bad save request',
    );
  });

  it('opens a dropped file by its path; state, backups and replies go to the main process', async () => {
    expect(await api.openDropped({ name: 'flow.json' } as File)).toBe(true);
    expect(ipcRenderer.invoked.at(-1)).toEqual({ channel: CHANNELS.openPath, args: ['/dropped/flow.json'] });
    api.setState({ dirty: true, title: 'T' });
    api.backup([{ name: 'n', text: '{}', path: '/p.json' }]);
    api.reply(3, true);
    expect(ipcRenderer.sentToMain.slice(-3)).toEqual([
      { channel: CHANNELS.setState, args: [{ dirty: true, title: 'T' }] },
      { channel: CHANNELS.backup, args: [[{ path: '/p.json', name: 'n', text: '{}' }]] },
      { channel: CHANNELS.reply, args: [3, true] },
    ]);
  });
});
