/**
 * Copy, cut and paste of nodes. The selection travels as `sluice/fragment@1` JSON: through the system clipboard
 * when the browser allows it (copy/paste events, or the async Clipboard API), and through an in-memory copy that
 * every tab shares, so paste between flows works even where the system clipboard is not available.
 */
import { makeFragment, parseFragment, pasteFragment } from '../model/fragment.js';
import { COMMENT_PREFIX, GROUP_PREFIX } from '../model/organise.js';
import type { FlowStore } from '../state/flow-store.js';
import { contentOf } from '../state/workspace.js';

let internal: string | undefined;

export function selectionText(store: FlowStore): string | undefined {
  const s = store.getState();
  const ids = new Set(s.nodes.filter((n) => n.selected).map((n) => n.id));
  // A selected group frame copies the group with its nodes; selected comments come along.
  const picked = new Set(s.organiseSelected);
  for (const g of s.meta.groups ?? []) if (picked.has(GROUP_PREFIX + g.id)) for (const id of g.nodes) ids.add(id);
  const comments = new Set((s.meta.comments ?? []).filter((c) => picked.has(COMMENT_PREFIX + c.id)).map((c) => c.id));
  const fragment = makeFragment(contentOf(s), ids, comments);
  return fragment ? `${JSON.stringify(fragment, null, 2)}\n` : undefined;
}

/** Copies the selection; returns the JSON text, or undefined when nothing is selected. */
export function copySelection(store: FlowStore): string | undefined {
  const text = selectionText(store);
  if (!text) return undefined;
  internal = text;
  navigator.clipboard?.writeText(text).catch(() => {
    // No permission (or no focus): the copy event or the in-memory copy still has it.
  });
  return text;
}

/** Pastes fragment (or flow) JSON; false when the text holds no nodes. */
export function pasteText(store: FlowStore, text: string, at?: { x: number; y: number }): boolean {
  const fragment = parseFragment(text);
  if (!fragment || (fragment.nodes.length === 0 && !fragment.comments?.length)) return false;
  store.getState().insert(pasteFragment(contentOf(store.getState()), fragment, at));
  return true;
}

export function pasteInternal(store: FlowStore, at?: { x: number; y: number }): boolean {
  return internal !== undefined && pasteText(store, internal, at);
}

export function duplicateSelection(store: FlowStore): boolean {
  const text = selectionText(store);
  return text !== undefined && pasteText(store, text);
}
