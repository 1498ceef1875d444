/**
 * The runtimes this editor deploys to: the local one (the editor's own server, fed by its WebSocket) and the remote
 * runners, whose flows are polled through the editor's server while the Runtimes dialog is open.
 */
import { create } from 'zustand';
import { ApiError } from '../api/client.js';
import type { RuntimeInfo } from '../api/types.js';
import { deploy as deployLocal, save } from '../state/flow-actions.js';
import { useUi } from '../state/ui-store.js';
import { activeTab, useWorkspace } from '../state/workspace.js';
import { type RunnerInfo, runnersApi } from './runners-api.js';

export const POLL_MS = 1000;

export interface RemoteView {
  info?: RuntimeInfo;
  /** Why the last poll failed (unreachable, token refused). */
  error?: string;
}

export interface RuntimesState {
  open: boolean;
  runners: RunnerInfo[];
  /** The runners' flows, by runner id. */
  remote: Record<string, RemoteView>;
  /** The list could not be read (e.g. an editor server without runners). */
  unavailable?: string;
  setOpen(open: boolean): void;
  refresh(): Promise<void>;
  poll(): Promise<void>;
  add(name: string, url: string, token: string): Promise<string | undefined>;
  remove(id: string): Promise<void>;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export const useRuntimes = create<RuntimesState>()((set, get) => ({
  open: false,
  runners: [],
  remote: {},
  setOpen: (open) => {
    set({ open });
    if (open) void get().refresh();
  },
  refresh: async () => {
    try {
      const { runners } = await runnersApi.list();
      set({ runners, unavailable: undefined });
      await get().poll();
    } catch (err) {
      set({ unavailable: message(err) });
    }
  },
  poll: async () => {
    const entries = await Promise.all(
      get().runners.map(async (r): Promise<[string, RemoteView]> => {
        try {
          return [r.id, { info: await runnersApi.runtime(r.id) }];
        } catch (err) {
          return [r.id, { error: message(err) }];
        }
      }),
    );
    set({ remote: Object.fromEntries(entries) });
  },
  /** Checks the runner (reachable, token, flow format) and saves it; the reason when it is refused. */
  add: async (name, url, token) => {
    try {
      await runnersApi.add(name, url, token);
      await get().refresh();
      useUi.getState().notify('success', `Runner "${name}" added`);
      return undefined;
    } catch (err) {
      return err instanceof ApiError ? err.message : message(err);
    }
  },
  remove: async (id) => {
    try {
      await runnersApi.remove(id);
    } catch (err) {
      useUi.getState().notify('error', `Could not remove the runner: ${message(err)}`);
    }
    await get().refresh();
  },
}));

/** Deploys the current flow (saved first) to the local runtime or to runner `runnerId`. */
export async function deployTo(runnerId: string | undefined): Promise<void> {
  if (runnerId === undefined) return deployLocal();
  const tab = activeTab();
  if (!tab) return;
  const dirty = useWorkspace.getState().dirty[tab.key] || tab.serverId === undefined;
  if (dirty && !(await save(tab))) return;
  const flowId = useWorkspace.getState().tab(tab.key)?.serverId;
  if (!flowId) return;
  const runner = useRuntimes.getState().runners.find((r) => r.id === runnerId);
  try {
    await runnersApi.deploy(runnerId, flowId);
    useUi.getState().notify('success', `Deployed to ${runner?.name ?? runnerId}`);
  } catch (err) {
    useUi.getState().notify('error', `Not deployed to ${runner?.name ?? runnerId}: ${message(err)}`);
  }
  await useRuntimes.getState().poll();
}

export async function stopOn(runnerId: string, flowId: string): Promise<void> {
  try {
    await runnersApi.stop(runnerId, flowId);
  } catch (err) {
    useUi.getState().notify('error', `Could not stop "${flowId}": ${message(err)}`);
  }
  await useRuntimes.getState().poll();
}
