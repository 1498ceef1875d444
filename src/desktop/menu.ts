/**
 * The application menu. Accelerators match the editor's own shortcuts (Ctrl/Cmd+S saves in the browser too); the
 * editing ones are shown but not registered, so the keys still reach the editor, which handles them on the canvas
 * and natively in text fields.
 */
import { basename } from 'node:path';
import type { MenuItemConstructorOptions } from 'electron';

export interface MenuActions {
  newFlow(): void;
  open(): void;
  openRecent(path: string): void;
  clearRecent(): void;
  save(): void;
  saveAs(): void;
  importFlow(): void;
  exportJson(): void;
  close(): void;
  quit(): void;
  undo(): void;
  redo(): void;
  docs(): void;
  about(): void;
}

export const DOCS_URL = 'https://github.com/sluice-dev/sluice#readme';

export function menuTemplate(actions: MenuActions, recent: string[], platform: string): MenuItemConstructorOptions[] {
  const mac = platform === 'darwin';
  const recentItems: MenuItemConstructorOptions[] = recent.length
    ? [
        ...recent.map((path) => ({ label: basename(path), sublabel: path, click: () => actions.openRecent(path) })),
        { type: 'separator' },
        { label: 'Clear Recent', click: () => actions.clearRecent() },
      ]
    : [{ label: 'No recent flows', enabled: false }];
  const edit = (label: string, accelerator: string, more: MenuItemConstructorOptions) =>
    ({ label, accelerator, registerAccelerator: false, ...more }) as MenuItemConstructorOptions;
  return [
    ...(mac ? [{ role: 'appMenu' } as MenuItemConstructorOptions] : []),
    {
      label: 'File',
      submenu: [
        { label: 'New Flow', accelerator: 'CmdOrCtrl+N', click: () => actions.newFlow() },
        { label: 'Open…', accelerator: 'CmdOrCtrl+O', click: () => actions.open() },
        { label: 'Open Recent', submenu: recentItems },
        { type: 'separator' },
        { label: 'Save', accelerator: 'CmdOrCtrl+S', click: () => actions.save() },
        { label: 'Save As…', accelerator: 'CmdOrCtrl+Shift+S', click: () => actions.saveAs() },
        { type: 'separator' },
        { label: 'Import…', accelerator: 'CmdOrCtrl+I', click: () => actions.importFlow() },
        { label: 'Export JSON…', accelerator: 'CmdOrCtrl+E', click: () => actions.exportJson() },
        { type: 'separator' },
        { label: 'Close Flow', accelerator: 'CmdOrCtrl+W', click: () => actions.close() },
        ...(mac ? [] : [{ type: 'separator' } as MenuItemConstructorOptions]),
        { label: mac ? 'Quit Sluice' : 'Quit', accelerator: 'CmdOrCtrl+Q', click: () => actions.quit() },
      ],
    },
    {
      label: 'Edit',
      submenu: [
        edit('Undo', 'CmdOrCtrl+Z', { click: () => actions.undo() }),
        edit('Redo', 'CmdOrCtrl+Shift+Z', { click: () => actions.redo() }),
        { type: 'separator' },
        edit('Cut', 'CmdOrCtrl+X', { role: 'cut' }),
        edit('Copy', 'CmdOrCtrl+C', { role: 'copy' }),
        edit('Paste', 'CmdOrCtrl+V', { role: 'paste' }),
        edit('Select All', 'CmdOrCtrl+A', { role: 'selectAll' }),
      ],
    },
    {
      label: 'View',
      submenu: [
        { role: 'zoomIn', accelerator: 'CmdOrCtrl+=' },
        { role: 'zoomOut', accelerator: 'CmdOrCtrl+-' },
        { role: 'resetZoom', accelerator: 'CmdOrCtrl+0' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
        { role: 'toggleDevTools', accelerator: mac ? 'Alt+Cmd+I' : 'Ctrl+Shift+I' },
      ],
    },
    {
      label: 'Help',
      submenu: [
        { label: 'Documentation', click: () => actions.docs() },
        { label: 'About Sluice', click: () => actions.about() },
      ],
    },
  ];
}
