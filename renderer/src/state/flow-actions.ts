/** What the toolbar and shortcuts do with flows on the server: open, save, deploy, stop, import, export, try. */
import { serializeFlow, stripSecrets } from '../../../src/flow/index.js';
import { ApiError, api } from '../api/client.js';
import { catalog } from '../model/catalog.js';
import { fromDocument, toDocument, toFlowNode } from '../model/convert.js';
import { referencedConnections } from '../model/fragment.js';
import { sameContent } from '../model/history.js';
import { flowTrial, subflowTrial } from '../model/subflow-try.js';
import type { FlowContent } from '../model/types.js';
import { pushDebugBacklog } from './debug-store.js';
import { type DeployedShape, settling, summarise, useDeploy } from './deploy-store.js';
import { isActive, useRuntime } from './runtime-store.js';
import { useSubflowEdit } from './subflow-edit.js';
import { useTaps } from './taps.js';
import { droppedNodes, tryKey, useTry } from './try-store.js';
import { useUi } from './ui-store.js';
import { activeTab, contentOf, type Tab, useWorkspace } from './workspace.js';

function fail(what: string, err: unknown): void {
  const ui = useUi.getState();
  if (err instanceof ApiError && err.problems.length) {
    ui.setDialog({ kind: 'problems', title: `${what}: ${err.message}`, problems: err.problems });
  } else {
    ui.notify('error', `${what}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export function documentOf(tab: Tab) {
  return toDocument(contentOf(tab.store.getState()));
}

export async function openFromServer(id: string): Promise<Tab | undefined> {
  const existing = useWorkspace.getState().tabs.find((t) => t.serverId === id);
  if (existing) {
    useWorkspace.getState().activate(existing.key);
    return existing;
  }
  try {
    const { flow, revision } = await api.getFlow(id);
    return useWorkspace.getState().open(flow, { id, revision });
  } catch (err) {
    fail(`Could not open "${id}"`, err);
    return undefined;
  }
}

/**
 * The server names a new flow (from its name); the document takes that id so that exports match the saved file.
 * Returns what counts as saved: the content with the id, when nothing else changed during the save.
 */
function withServerId(tab: Tab, content: FlowContent, id: string): FlowContent {
  if (content.meta.id === id) return content;
  const unchanged = sameContent(contentOf(tab.store.getState()), content);
  const meta = { ...tab.store.getState().meta, id };
  const t = tab.store.temporal.getState();
  t.pause();
  tab.store.setState({ meta });
  t.resume();
  return unchanged ? { ...content, meta } : content;
}

const saving = new Set<string>();

/** Runs after every successful save (the desktop app writes the flow's file too); one at a time. */
let savedHook: ((tab: Tab) => Promise<void>) | undefined;

export function onSaved(hook: ((tab: Tab) => Promise<void>) | undefined): void {
  savedHook = hook;
}

/** True while this editor's own save of the tab is in flight (its echo from the server is not news). */
export function isSaving(tabKey: string): boolean {
  return saving.has(tabKey);
}

/** Saves the tab; true when it is saved. A stale revision (someone else saved) is shown, never overwritten. */
export async function save(tab: Tab | undefined = activeTab()): Promise<boolean> {
  if (!tab) return false;
  const content = contentOf(tab.store.getState());
  const flow = toDocument(content);
  saving.add(tab.key);
  try {
    if (tab.serverId === undefined || tab.revision === undefined) {
      const r = await api.createFlow(flow);
      useWorkspace.getState().markSaved(tab.key, r, withServerId(tab, content, r.id));
    } else {
      const r = await api.saveFlow(tab.serverId, flow, tab.revision);
      useWorkspace.getState().markSaved(tab.key, { id: tab.serverId, revision: r.revision }, content);
    }
    useUi.getState().notify('success', `Saved "${flow.name ?? tab.serverId ?? 'flow'}"`);
    await savedHook?.(useWorkspace.getState().tab(tab.key) ?? tab);
    return true;
  } catch (err) {
    if (err instanceof ApiError && err.code === 'stale-revision') {
      // Someone saved this flow since it was opened here: say so, and let the user choose; never overwrite silently.
      useUi.getState().setDialog({ kind: 'conflict', tabKey: tab.key, message: err.message });
      return false;
    }
    fail('Not saved', err);
    return false;
  } finally {
    saving.delete(tab.key);
  }
}

/** Discards my changes and loads the version saved on the server. */
export async function reloadFromServer(tab: Tab | undefined): Promise<void> {
  if (!tab?.serverId) return;
  try {
    const { flow, revision } = await api.getFlow(tab.serverId);
    const content = fromDocument(flow);
    tab.store.getState().replaceContent(content);
    useWorkspace.getState().markSaved(tab.key, { id: tab.serverId, revision }, content);
  } catch (err) {
    fail('Could not reload', err);
  }
}

/** Keeps my version: saves over the newer revision on the server (after a stale-revision refusal). */
export async function overwrite(tab: Tab | undefined = activeTab()): Promise<boolean> {
  if (!tab?.serverId) return save(tab);
  try {
    const { revision } = await api.getFlow(tab.serverId);
    useWorkspace.setState({
      tabs: useWorkspace.getState().tabs.map((t) => (t.key === tab.key ? { ...t, revision } : t)),
    });
    return save(useWorkspace.getState().tab(tab.key));
  } catch (err) {
    fail('Not saved', err);
    return false;
  }
}

/** How long a deploy waits for its nodes to connect before it reports (they keep trying after). */
export const DEPLOY_SETTLE_MS = 8_000;

function deployedShape(tab: Tab): DeployedShape {
  const state = tab.store.getState();
  return {
    nodes: state.nodes.map((n) => ({
      id: n.id,
      type: n.data.type,
      ...(n.data.name ? { name: n.data.name } : {}),
      connections: referencedConnections(toFlowNode(n)),
    })),
    connections: state.connections.map((c) => ({ id: c.id, ...(c.name ? { name: c.name } : {}) })),
  };
}

/** Resolves once no node is on its way up any more, or after `ms`. */
function whenSettled(flowId: string, shape: DeployedShape, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const check = () => {
      const run = useRuntime.getState().flows[flowId];
      return run?.state !== 'running' || !settling(shape, run.statuses);
    };
    if (check()) return resolve();
    const timer = setTimeout(done, ms);
    const unsubscribe = useRuntime.subscribe(() => {
      if (check()) done();
    });
    function done() {
      clearTimeout(timer);
      unsubscribe();
      resolve();
    }
  });
}

export async function deploy(tab: Tab | undefined = activeTab()): Promise<void> {
  if (!tab) return;
  const report = useDeploy.getState();
  const previous = tab.serverId ? useRuntime.getState().flows[tab.serverId] : undefined;
  const replaces = isActive(previous) ? (previous?.revision ?? null) : undefined;
  report.set(tab.key, { phase: 'saving', ...(replaces === undefined ? {} : { replaces }) });
  // Try-it results were about the draft; the deployed flow speaks for itself now. A new engine watches no wire.
  useTry.getState().clear(tab.key);
  if (tab.serverId) useTaps.getState().clear(tab.serverId);
  const dirty = useWorkspace.getState().dirty[tab.key] || tab.serverId === undefined;
  if (dirty && !(await save(tab))) {
    report.set(tab.key, undefined);
    return;
  }
  const saved = useWorkspace.getState().tab(tab.key);
  if (!saved?.serverId) return;
  const flowId = saved.serverId;
  report.set(tab.key, { phase: 'deploying', ...(replaces === undefined ? {} : { replaces }) });
  try {
    const r = await api.deploy(flowId);
    // Statuses pushed while the deploy request was in flight may predate it here: take the runtime's own view.
    useRuntime.getState().reset(await api.runtime());
    report.set(tab.key, { phase: 'checking' });
    void loadDebugBacklog(saved);
    const shape = deployedShape(saved);
    await whenSettled(flowId, shape, DEPLOY_SETTLE_MS);
    const run = useRuntime.getState().flows[flowId];
    report.set(tab.key, {
      phase: 'done',
      ...summarise(shape, run?.statuses ?? {}, r.revision ?? run?.revision ?? null),
    });
  } catch (err) {
    // A failed start is pushed too (flow-state `failed`); the runtime's view says whether a previous revision runs.
    const info = await api.runtime().catch(() => undefined);
    if (info) useRuntime.getState().reset(info);
    const run = useRuntime.getState().flows[flowId];
    const lines = [`Not deployed: ${err instanceof Error ? err.message : String(err)}`];
    if (run?.state === 'running') lines.push(`Revision ${run.revision} runs again, as before.`);
    else lines.push('Nothing of this flow runs.');
    report.set(tab.key, { phase: 'done', tone: 'error', lines });
    fail('Not deployed', err);
  }
}

/** Drains and stops one flow (the current tab's by default); the others keep running. */
export async function stop(flowId: string | undefined = activeTab()?.serverId): Promise<void> {
  if (!flowId) return;
  const tab = useWorkspace.getState().tabs.find((t) => t.serverId === flowId);
  if (tab) useTry.getState().clear(tab.key);
  useTaps.getState().clear(flowId);
  try {
    await api.stop(flowId);
    useRuntime.getState().reset(await api.runtime());
  } catch (err) {
    fail('Could not stop the flow', err);
  }
}

/** Messages the debug nodes kept before the editor connected (or before this deploy's first push). */
export async function loadDebugBacklog(tab: Tab): Promise<void> {
  const flowId = tab.serverId;
  if (!flowId) return;
  const debugNodes = tab.store.getState().nodes.filter((n) => n.data.type === 'debug');
  for (const n of debugNodes) {
    try {
      const r = await api.debug(flowId, n.id);
      pushDebugBacklog((r.messages ?? []).map((e) => ({ ...e, flowId, nodeId: e.nodeId ?? n.id })));
    } catch {
      // Not running yet or no backlog: the live stream fills the panel.
    }
  }
}

export async function importText(text: string): Promise<boolean> {
  try {
    const r = await api.importText(text);
    const tab = await openFromServer(r.id);
    if (tab && r.problems?.length) {
      useUi.getState().notify('info', `Imported with ${r.problems.length} problem(s); see Problems.`);
    }
    return tab !== undefined;
  } catch (err) {
    fail('Not imported', err);
    return false;
  }
}

/** The flow as a file: canonical JSON, secrets only as references. */
export function exportText(tab: Tab | undefined = activeTab()): string | undefined {
  if (!tab) return undefined;
  return serializeFlow(stripSecrets(documentOf(tab), catalog).flow);
}

export function exportFileName(tab: Tab): string {
  const name = tab.serverId ?? documentOf(tab).name ?? 'flow';
  return `${name.replace(/[^A-Za-z0-9_.-]+/g, '-')}.json`;
}

/**
 * Try it on the canvas shown: the flow's, or an open subflow's (one use of it with its parameters' defaults, expanded
 * as the engine does, its steps mapped back onto the subflow's canvas).
 */
export async function tryNode(
  nodeId: string,
  payload: unknown,
  topic: string | undefined,
  inputPort?: string,
): Promise<void> {
  const tab = activeTab();
  if (!tab) return;
  const editing = useSubflowEdit.getState().editing;
  const subflow = editing?.tabKey === tab.key ? editing : undefined;
  const key = tryKey(tab.key, subflow?.subflowId);
  const canvas = subflow?.store ?? tab.store;
  useTry.getState().started(key, nodeId);
  useUi.getState().showBottom('try');
  const failed = (error: string) => useTry.getState().finished(key, { steps: [], delivered: [], error, droppedAt: [] });
  const trial = subflow
    ? subflowTrial(documentOf(tab), subflow.subflowId, nodeId, inputPort)
    : flowTrial(documentOf(tab), nodeId);
  if (typeof trial === 'string') {
    failed(trial);
    return;
  }
  try {
    const r = await api.tryNode(trial.flow, trial.nodeId, { payload, ...(topic ? { topic } : {}) });
    const raw = r.truncated ? `${r.error ?? ''} (stopped at the step limit)`.trim() : r.error;
    const error = raw === undefined ? undefined : trial.mapError(raw);
    const steps = trial.mapSteps(r.steps ?? []);
    const delivered = trial.mapDelivered(r.delivered ?? []);
    const state = canvas.getState();
    const canvasIds = new Set(state.nodes.map((n) => n.id));
    const droppedAt = error ? [] : droppedNodes(nodeId, steps, delivered, state.edges, canvasIds);
    const note = trial.parameters ? `Parameters: ${trial.parameters}` : undefined;
    useTry.getState().finished(key, { steps, delivered, error, droppedAt, note }, canvasIds);
  } catch (err) {
    failed(trial.mapError(err instanceof Error ? err.message : String(err)));
  }
}
