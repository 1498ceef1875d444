/** The keyboard shortcuts: one list, used by the key handler and shown in the help dialog (`?`). */

export type Command =
  | 'help'
  | 'delete'
  | 'undo'
  | 'redo'
  | 'copy'
  | 'cut'
  | 'paste'
  | 'duplicate'
  | 'selectAll'
  | 'save'
  | 'fitView'
  | 'layout'
  | 'zoomIn'
  | 'zoomOut'
  | 'deploy'
  | 'escape'
  | 'group'
  | 'subflow'
  | 'comment';

export interface Shortcut {
  command: Command;
  keys: string[];
  label: string;
  /** Which key events trigger it. */
  match: (e: KeyboardEvent) => boolean;
}

const mod = (e: KeyboardEvent) => e.ctrlKey || e.metaKey;
const key = (e: KeyboardEvent) => e.key.toLowerCase();

export const SHORTCUTS: Shortcut[] = [
  { command: 'help', keys: ['?'], label: 'Show this help', match: (e) => e.key === '?' },
  { command: 'save', keys: ['Ctrl', 'S'], label: 'Save the flow', match: (e) => mod(e) && key(e) === 's' },
  { command: 'deploy', keys: ['Ctrl', 'Enter'], label: 'Deploy the flow', match: (e) => mod(e) && e.key === 'Enter' },
  { command: 'undo', keys: ['Ctrl', 'Z'], label: 'Undo', match: (e) => mod(e) && !e.shiftKey && key(e) === 'z' },
  {
    command: 'redo',
    keys: ['Ctrl', 'Shift', 'Z'],
    label: 'Redo (also Ctrl+Y)',
    match: (e) => (mod(e) && e.shiftKey && key(e) === 'z') || (mod(e) && key(e) === 'y'),
  },
  {
    command: 'copy',
    keys: ['Ctrl', 'C'],
    label: 'Copy the selection (as JSON, to the clipboard too)',
    match: (e) => mod(e) && key(e) === 'c',
  },
  { command: 'cut', keys: ['Ctrl', 'X'], label: 'Cut the selection', match: (e) => mod(e) && key(e) === 'x' },
  {
    command: 'paste',
    keys: ['Ctrl', 'V'],
    label: 'Paste nodes (from this or another flow, or JSON)',
    match: (e) => mod(e) && key(e) === 'v',
  },
  {
    command: 'duplicate',
    keys: ['Ctrl', 'D'],
    label: 'Duplicate the selection',
    match: (e) => mod(e) && key(e) === 'd',
  },
  {
    command: 'group',
    keys: ['Ctrl', 'G'],
    label: 'Group the selected nodes (a titled frame that moves them together)',
    match: (e) => mod(e) && !e.shiftKey && key(e) === 'g',
  },
  {
    command: 'subflow',
    keys: ['Ctrl', 'Shift', 'G'],
    label: 'Make a subflow of the selected nodes (a reusable node type with their inputs and outputs)',
    match: (e) => mod(e) && e.shiftKey && key(e) === 'g',
  },
  {
    command: 'comment',
    keys: ['C'],
    label: 'Add a comment (a note on the canvas) where the pointer is',
    match: (e) => !mod(e) && !e.altKey && key(e) === 'c',
  },
  { command: 'selectAll', keys: ['Ctrl', 'A'], label: 'Select everything', match: (e) => mod(e) && key(e) === 'a' },
  {
    command: 'delete',
    keys: ['Delete'],
    label: 'Delete the selection (also Backspace)',
    match: (e) => !mod(e) && (e.key === 'Delete' || e.key === 'Backspace'),
  },
  {
    command: 'fitView',
    keys: ['F'],
    label: 'Fit the flow in view',
    match: (e) => !mod(e) && !e.altKey && key(e) === 'f',
  },
  { command: 'layout', keys: ['L'], label: 'Auto-layout', match: (e) => !mod(e) && !e.altKey && key(e) === 'l' },
  { command: 'zoomIn', keys: ['+'], label: 'Zoom in', match: (e) => !mod(e) && (e.key === '+' || e.key === '=') },
  { command: 'zoomOut', keys: ['-'], label: 'Zoom out', match: (e) => !mod(e) && e.key === '-' },
  { command: 'escape', keys: ['Esc'], label: 'Clear the selection, close a dialog', match: (e) => e.key === 'Escape' },
];

/**
 * Typing in a field or code editor keeps the browser's own keys (Ctrl+S and Ctrl+Enter still work). The event's
 * composed path is used because code editors live in shadow roots, where `target` is only the host.
 */
export function isTyping(e: Event): boolean {
  const target = e.composedPath()[0] ?? e.target;
  if (!(target instanceof HTMLElement)) return false;
  if (target.closest('.cm-editor') || target.isContentEditable) return true;
  const tag = target.tagName;
  return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT';
}

export function commandFor(e: KeyboardEvent): Command | undefined {
  const typing = isTyping(e);
  for (const s of SHORTCUTS) {
    if (!s.match(e)) continue;
    if (typing && s.command !== 'save' && s.command !== 'deploy') return undefined;
    return s.command;
  }
  return undefined;
}
