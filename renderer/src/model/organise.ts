/**
 * Comments and groups on the canvas (the document's `comments` and `groups`, kept in the editor's meta so that undo,
 * dirty marks and save treat them like any edit). Pure functions over the content; the store applies them.
 * On the canvas each is a React Flow node whose id starts with a character node ids cannot hold, so the two never
 * clash; a group's frame is computed around its nodes.
 */
import type { Node } from '@xyflow/react';
import type { FlowComment, FlowGroup } from '../../../src/flow/index.js';
import { uniqueId } from './ids.js';
import type { EditorNode } from './types.js';

export const COMMENT_PREFIX = '@comment/';
export const GROUP_PREFIX = '@group/';
export const COMMENT_SIZE = { width: 220, height: 80 };
export const GROUP_COLORS = ['#3b82f6', '#10b981', '#f59e0b', '#ef4444', '#8b5cf6', '#64748b'] as const;
/** Room around the nodes, and above them for the title (multiples of the 10 px grid, so a snapped frame moves its nodes by whole grid steps). */
const PAD = 20;
const TITLE = 30;
/** Used before React Flow has measured a node. */
const NODE_SIZE = { width: 180, height: 66 };

export interface CommentData extends Record<string, unknown> {
  comment: FlowComment;
}
export interface GroupData extends Record<string, unknown> {
  group: FlowGroup;
}
export type CommentNode = Node<CommentData, 'comment'>;
export type GroupNode = Node<GroupData, 'group-frame'>;
export type CanvasNode = EditorNode | CommentNode | GroupNode;

export function isOrganiseId(id: string): boolean {
  return id.startsWith('@');
}

export function newCommentId(comments: readonly FlowComment[]): string {
  return uniqueId('comment', new Set(comments.map((c) => c.id)));
}

export function newGroupId(groups: readonly FlowGroup[]): string {
  return uniqueId('group', new Set(groups.map((g) => g.id)));
}

/** The frame around a group's nodes, or undefined when none of them is in the flow. */
export function frameOf(
  group: FlowGroup,
  byId: ReadonlyMap<string, EditorNode>,
): { x: number; y: number; width: number; height: number } | undefined {
  let minX = Number.POSITIVE_INFINITY;
  let minY = Number.POSITIVE_INFINITY;
  let maxX = Number.NEGATIVE_INFINITY;
  let maxY = Number.NEGATIVE_INFINITY;
  for (const id of group.nodes) {
    const n = byId.get(id);
    if (!n) continue;
    const w = n.measured?.width ?? NODE_SIZE.width;
    const h = n.measured?.height ?? NODE_SIZE.height;
    minX = Math.min(minX, n.position.x);
    minY = Math.min(minY, n.position.y);
    maxX = Math.max(maxX, n.position.x + w);
    maxY = Math.max(maxY, n.position.y + h);
  }
  if (minX === Number.POSITIVE_INFINITY) return undefined;
  return { x: minX - PAD, y: minY - PAD - TITLE, width: maxX - minX + 2 * PAD, height: maxY - minY + 2 * PAD + TITLE };
}

/** The canvas nodes for the comments and group frames (frames first: they draw under the nodes). */
export function organiseNodes(
  nodes: readonly EditorNode[],
  comments: readonly FlowComment[] | undefined,
  groups: readonly FlowGroup[] | undefined,
  selected: ReadonlySet<string>,
): (CommentNode | GroupNode)[] {
  const out: (CommentNode | GroupNode)[] = [];
  if (groups?.length) {
    const byId = new Map(nodes.map((n) => [n.id, n]));
    for (const group of groups) {
      const f = frameOf(group, byId);
      if (!f) continue;
      const id = GROUP_PREFIX + group.id;
      out.push({
        id,
        type: 'group-frame',
        position: { x: f.x, y: f.y },
        width: f.width,
        height: f.height,
        measured: { width: f.width, height: f.height },
        // Under the nodes even when selected (React Flow lifts a selected node by 1000), so its nodes stay clickable.
        zIndex: selected.has(id) ? -1001 : -1,
        selected: selected.has(id),
        data: { group },
      });
    }
  }
  for (const comment of comments ?? []) {
    const id = COMMENT_PREFIX + comment.id;
    const width = comment.width ?? COMMENT_SIZE.width;
    const height = comment.height ?? COMMENT_SIZE.height;
    out.push({
      id,
      type: 'comment',
      position: comment.position,
      width,
      height,
      measured: { width, height },
      selected: selected.has(id),
      data: { comment },
    });
  }
  return out;
}

/** The groups once `gone` nodes left the flow: their ids drop out, an empty group goes. */
export function withoutNodes(groups: readonly FlowGroup[], gone: ReadonlySet<string>): FlowGroup[] {
  const out: FlowGroup[] = [];
  for (const g of groups) {
    if (!g.nodes.some((id) => gone.has(id))) {
      out.push(g);
      continue;
    }
    const nodes = g.nodes.filter((id) => !gone.has(id));
    if (nodes.length) out.push({ ...g, nodes });
  }
  return out;
}
