/** Panels, dialogs and notices: UI state that belongs to no flow. */
import { create } from 'zustand';
import type { Problem } from '../../../src/flow/index.js';

export type Dialog =
  | { kind: 'help' }
  | { kind: 'open' }
  | { kind: 'import' }
  | { kind: 'confirm-close'; tabKey: string }
  | { kind: 'problems'; title: string; problems: Problem[] }
  | { kind: 'conflict'; tabKey: string; message: string };

export interface Notice {
  id: number;
  tone: 'info' | 'error' | 'success';
  text: string;
}

export type SideTab = 'properties' | 'connections' | 'help';
export type BottomTab = 'debug' | 'try' | 'problems' | 'runtime' | 'topics';

export interface UiState {
  dialog: Dialog | undefined;
  notices: Notice[];
  side: SideTab;
  bottom: BottomTab;
  bottomOpen: boolean;
  bottomHeight: number;
  /** The minimap: shown by default once a flow no longer fits at a glance. */
  miniMap: 'auto' | 'on' | 'off';
  /** The connection the connections panel has open. */
  openConnection: string | undefined;
  /** The node whose form opened it ("+ New connection…", "Edit"): the panel offers the way back. */
  connectionFrom: string | undefined;
  setDialog(d: Dialog | undefined): void;
  notify(tone: Notice['tone'], text: string): void;
  dismiss(id: number): void;
  setSide(side: SideTab): void;
  showBottom(tab: BottomTab): void;
  toggleBottom(): void;
  setBottomHeight(px: number): void;
  setMiniMap(mode: 'on' | 'off'): void;
  setOpenConnection(id: string | undefined, fromNode?: string): void;
}

let nextId = 1;

export const useUi = create<UiState>()((set, get) => ({
  dialog: undefined,
  notices: [],
  side: 'properties',
  bottom: 'debug',
  bottomOpen: true,
  bottomHeight: 260,
  miniMap: 'auto',
  openConnection: undefined,
  connectionFrom: undefined,
  setDialog: (dialog) => set({ dialog }),
  notify: (tone, text) => {
    const id = nextId++;
    set({ notices: [...get().notices.slice(-3), { id, tone, text }] });
    setTimeout(() => get().dismiss(id), tone === 'error' ? 8000 : 4000);
  },
  dismiss: (id) => set({ notices: get().notices.filter((n) => n.id !== id) }),
  setSide: (side) => set({ side }),
  showBottom: (bottom) => set({ bottom, bottomOpen: true }),
  toggleBottom: () => set({ bottomOpen: !get().bottomOpen }),
  setMiniMap: (miniMap) => set({ miniMap }),
  setBottomHeight: (px) => set({ bottomHeight: Math.round(Math.min(Math.max(px, 120), window.innerHeight - 220)) }),
  setOpenConnection: (openConnection, connectionFrom) => set({ openConnection, connectionFrom, side: 'connections' }),
}));
