/**
 * The contract between the desktop shell and the editor: IPC channel names and the one API the preload exposes as
 * `window.sluiceDesktop`. Types and constants only (no Node, no Electron): the renderer imports it too.
 */

export const CHANNELS = {
  /** main -> renderer: a menu action or a document to open. */
  command: 'sluice:command',
  /** renderer -> main (invoke): write a flow to its file, asking where when it has none. */
  saveFile: 'sluice:save-file',
  /** renderer -> main (invoke): write an export (secrets stripped) where the user chooses. */
  exportFile: 'sluice:export-file',
  /** renderer -> main (invoke): open a file dropped on the window. */
  openPath: 'sluice:open-path',
  /** renderer -> main: unsaved changes and the window title. */
  setState: 'sluice:set-state',
  /** renderer -> main: the unsaved documents, for recovery after a crash. */
  backup: 'sluice:backup',
  /** renderer -> main: the answer to a command that asked for one (save-all). */
  reply: 'sluice:reply',
} as const;

/** A flow file as read from disk. */
export interface OpenedDocument {
  path: string;
  text: string;
}

/** An unsaved document kept for recovery: its file (if it has one) and its content. */
export interface RecoveredDocument {
  path?: string;
  name: string;
  text: string;
}

export type DesktopCommand =
  | { command: 'new' | 'save' | 'save-as' | 'export' | 'close' | 'undo' | 'redo' }
  | { command: 'open'; document: OpenedDocument }
  | { command: 'import'; text: string }
  | { command: 'restore'; documents: RecoveredDocument[] }
  | { command: 'save-all'; requestId: number };

export interface SaveRequest {
  /** The flow document as JSON text. */
  text: string;
  /** A file name to offer when the user is asked where. */
  suggestedName: string;
  /** The document's file; absent (or with `saveAs`) the user is asked. */
  path?: string;
  saveAs?: boolean;
}

export type SaveResult = { saved: true; path: string } | { saved: false; reason?: string };

export interface WindowDocumentState {
  /** Some open document has unsaved changes. */
  dirty: boolean;
  /** What the window's title shows (the current flow's name). */
  title: string;
}

/** `window.sluiceDesktop`: all the editor may ask of the desktop shell. */
export interface SluiceDesktopApi {
  readonly platform: string;
  onCommand(listener: (command: DesktopCommand) => void): () => void;
  saveFile(request: SaveRequest): Promise<SaveResult>;
  exportFile(request: SaveRequest): Promise<SaveResult>;
  openDropped(file: File): Promise<boolean>;
  setState(state: WindowDocumentState): void;
  backup(documents: RecoveredDocument[]): void;
  reply(requestId: number, ok: boolean): void;
}

/** Flow files larger than this are refused on open (the admin API's body limit). */
export const MAX_FLOW_FILE_BYTES = 5 * 1024 * 1024;
