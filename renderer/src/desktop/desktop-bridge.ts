/**
 * The editor inside the desktop app: menu commands from the shell, flow files as documents (open, save to its file,
 * save as, export), the unsaved-changes state the shell's close prompt asks about, and the recovery copies of unsaved
 * edits. Does nothing in a browser (no `window.sluiceDesktop`). Talks to the shell only through the preload's API.
 */
import type { DesktopCommand, RecoveredDocument, SluiceDesktopApi } from '../../../src/desktop/bridge.js';
import { FLOW_FORMAT, type FlowDocument } from '../../../src/flow/index.js';
import { api } from '../api/client.js';
import { requestClose } from '../app/TabBar.js';
import { fromDocument } from '../model/convert.js';
import { exportFileName, exportText, importText, onSaved, openFromServer, save } from '../state/flow-actions.js';
import { useUi } from '../state/ui-store.js';
import { activeTab, type Tab, useWorkspace } from '../state/workspace.js';

declare global {
  interface Window {
    sluiceDesktop?: SluiceDesktopApi;
  }
}

/** How often unsaved state and recovery copies are brought up to date. */
export const SYNC_MS = 1000;

/** Per tab: its file, and the text last written to (or read from) it. */
const files = new Map<string, { path?: string; written?: string }>();

function fileOf(tab: Tab) {
  let f = files.get(tab.key);
  if (!f) {
    f = {};
    files.set(tab.key, f);
  }
  return f;
}

/** A tab differs from its file, or (without a file) has changes the app's store does not have either. */
function unsaved(tab: Tab): boolean {
  const f = files.get(tab.key);
  if (f?.path !== undefined) return exportText(tab) !== f.written;
  return (
    Boolean(useWorkspace.getState().dirty[tab.key]) ||
    (tab.serverId === undefined && tab.store.getState().nodes.length > 0)
  );
}

/** True while File > Save writes the file itself (the toolbar's save hook then leaves it alone). */
let savingToFile = false;

/** The toolbar's Save (and any other save) also writes a flow that has a file to that file. */
async function writeOwnFile(desktop: SluiceDesktopApi, tab: Tab): Promise<void> {
  const f = files.get(tab.key);
  if (savingToFile || !f?.path) return;
  const text = exportText(tab);
  if (!text || text === f.written) return;
  const r = await desktop.saveFile({ text, suggestedName: exportFileName(tab), path: f.path });
  if (r.saved) files.set(tab.key, { path: r.path, written: text });
}

async function saveToFile(desktop: SluiceDesktopApi, tab: Tab, saveAs: boolean): Promise<boolean> {
  // The app's store first (the runtime deploys from it), then the file.
  savingToFile = true;
  try {
    if (!(await save(tab))) return false;
  } finally {
    savingToFile = false;
  }
  const saved = useWorkspace.getState().tab(tab.key) ?? tab;
  const text = exportText(saved);
  if (!text) return false;
  const f = fileOf(saved);
  const r = await desktop.saveFile({
    text,
    suggestedName: exportFileName(saved),
    ...(f.path ? { path: f.path } : {}),
    ...(saveAs ? { saveAs: true } : {}),
  });
  if (!r.saved) return false;
  files.set(saved.key, { path: r.path, written: text });
  useUi.getState().notify('success', `Saved to ${r.path}`);
  return true;
}

async function openDocument(path: string, text: string): Promise<void> {
  const open = useWorkspace.getState().tabs.find((t) => files.get(t.key)?.path === path);
  if (open) {
    useWorkspace.getState().activate(open.key);
    return;
  }
  try {
    const r = await api.importText(text);
    const tab = await openFromServer(r.id);
    if (!tab) return;
    files.set(tab.key, { path, written: exportText(tab) });
    if (r.problems?.length)
      useUi.getState().notify('info', `Opened with ${r.problems.length} problem(s); see Problems.`);
  } catch (err) {
    useUi.getState().notify('error', `Could not open ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function restore(documents: RecoveredDocument[]): void {
  for (const d of documents) {
    let doc: FlowDocument;
    try {
      doc = JSON.parse(d.text) as FlowDocument;
    } catch {
      continue;
    }
    const tab = useWorkspace.getState().open(doc);
    files.set(tab.key, d.path ? { path: d.path } : {});
    // Nothing of it is saved anywhere: compared with an empty flow, it shows (and stays) unsaved until saved.
    const nothing = fromDocument({ format: FLOW_FORMAT, name: doc.name, nodes: [], edges: [] });
    const ws = useWorkspace.getState();
    useWorkspace.setState({
      tabs: ws.tabs.map((t) => (t.key === tab.key ? { ...t, saved: nothing } : t)),
      dirty: { ...ws.dirty, [tab.key]: true },
    });
  }
  useUi.getState().notify('info', `Restored unsaved changes to ${documents.length} flow(s); save them to keep them.`);
}

/** The editor's own shortcut, as if pressed: undo and redo act on the canvas (or the focused field). */
function press(key: string, shift: boolean): void {
  const target = document.activeElement ?? document.body;
  target.dispatchEvent(new KeyboardEvent('keydown', { key, ctrlKey: true, shiftKey: shift, bubbles: true }));
}

async function run(desktop: SluiceDesktopApi, c: DesktopCommand): Promise<void> {
  const tab = activeTab();
  switch (c.command) {
    case 'new':
      useWorkspace.getState().newFlow();
      return;
    case 'open':
      return openDocument(c.document.path, c.document.text);
    case 'import':
      await importText(c.text);
      return;
    case 'save':
    case 'save-as':
      if (tab) await saveToFile(desktop, tab, c.command === 'save-as');
      return;
    case 'export': {
      const text = tab && exportText(tab);
      if (tab && text) {
        const r = await desktop.exportFile({ text, suggestedName: exportFileName(tab) });
        if (r.saved) useUi.getState().notify('success', `Exported to ${r.path} (secrets stay references)`);
      }
      return;
    }
    case 'close':
      if (tab) requestClose(tab.key);
      return;
    case 'undo':
    case 'redo':
      press('z', c.command === 'redo');
      return;
    case 'restore':
      restore(c.documents);
      return;
    case 'save-all': {
      let ok = true;
      for (const t of useWorkspace.getState().tabs) {
        if (unsaved(t)) ok = (await saveToFile(desktop, t, false)) && ok;
      }
      desktop.reply(c.requestId, ok);
      return;
    }
  }
}

/** Keeps the shell told: whether anything is unsaved (and the title), and the unsaved documents for recovery. */
function sync(desktop: SluiceDesktopApi, last: { state?: string; backup?: string }): void {
  const { tabs } = useWorkspace.getState();
  const dirtyTabs = tabs.filter(unsaved);
  const active = activeTab();
  const state = { dirty: dirtyTabs.length > 0, title: active?.store.getState().meta.name ?? '' };
  const stateText = JSON.stringify(state);
  if (stateText !== last.state) {
    last.state = stateText;
    desktop.setState(state);
  }
  const documents = dirtyTabs.map((t) => ({
    ...(files.get(t.key)?.path ? { path: files.get(t.key)?.path } : {}),
    name: t.store.getState().meta.name ?? 'Untitled flow',
    text: exportText(t) ?? '',
  }));
  const backupText = JSON.stringify(documents);
  if (backupText !== last.backup) {
    last.backup = backupText;
    desktop.backup(documents as RecoveredDocument[]);
  }
}

function hasFiles(e: DragEvent): boolean {
  return Array.from(e.dataTransfer?.types ?? []).includes('Files');
}

/** Connects the editor to the desktop shell when it runs in one; returns whether it does. */
export function connectDesktop(desktop: SluiceDesktopApi | undefined = window.sluiceDesktop): boolean {
  if (!desktop) return false;
  desktop.onCommand((c) => void run(desktop, c));
  onSaved((tab) => writeOwnFile(desktop, tab));
  const last: { state?: string; backup?: string } = {};
  setInterval(() => sync(desktop, last), SYNC_MS);
  // A flow file dropped anywhere on the window opens as a document.
  document.addEventListener(
    'dragover',
    (e) => {
      if (hasFiles(e)) e.preventDefault();
    },
    true,
  );
  document.addEventListener(
    'drop',
    (e) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      e.stopPropagation();
      for (const file of Array.from(e.dataTransfer?.files ?? [])) {
        if (file.name.toLowerCase().endsWith('.json')) void desktop.openDropped(file);
      }
    },
    true,
  );
  return true;
}
