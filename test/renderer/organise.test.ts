/** Comments and groups in the editor's store: group, move the frame, ungroup, delete, undo/redo, round trip. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fromDocument, toDocument } from '../../renderer/src/model/convert.js';
import { makeFragment, parseFragment, pasteFragment } from '../../renderer/src/model/fragment.js';
import { frameOf, GROUP_PREFIX, organiseNodes } from '../../renderer/src/model/organise.js';
import { createFlowStore } from '../../renderer/src/state/flow-store.js';
import type { FlowDocument } from '../../src/flow/index.js';
import { serializeFlow } from '../../src/flow/index.js';

const demo = JSON.parse(
  readFileSync(new URL('../../examples/sensors-demo.json', import.meta.url), 'utf8'),
) as FlowDocument;
const [a, b, c] = demo.nodes.map((n) => n.id);

function store() {
  return createFlowStore(fromDocument(demo));
}
const pos = (s: ReturnType<typeof store>, id: string) => s.getState().nodes.find((n) => n.id === id)!.position;

describe('comments and groups in the editor', () => {
  it('groups the selected nodes; dragging the frame moves them; undo puts them back', () => {
    const s = store();
    s.getState().selectOnly([a, b]);
    const id = s.getState().groupSelection('Ingest')!;
    expect(s.getState().meta.groups).toEqual([{ id, name: 'Ingest', color: expect.any(String), nodes: [a, b] }]);
    const before = { a: pos(s, a), b: pos(s, b), c: pos(s, c) };
    const group = s.getState().meta.groups![0];
    const frame = frameOf(group, new Map(s.getState().nodes.map((n) => [n.id, n])))!;

    s.getState().beginGesture();
    s.getState().onNodesChange([
      { type: 'position', id: GROUP_PREFIX + id, position: { x: frame.x + 50, y: frame.y + 30 }, dragging: true },
    ]);
    s.getState().onNodesChange([
      { type: 'position', id: GROUP_PREFIX + id, position: { x: frame.x + 100, y: frame.y + 60 }, dragging: true },
    ]);
    s.getState().endGesture();
    expect(pos(s, a)).toEqual({ x: before.a.x + 100, y: before.a.y + 60 });
    expect(pos(s, b)).toEqual({ x: before.b.x + 100, y: before.b.y + 60 });
    expect(pos(s, c)).toEqual(before.c);

    s.temporal.getState().undo();
    expect(pos(s, a)).toEqual(before.a);
    s.temporal.getState().redo();
    expect(pos(s, a)).toEqual({ x: before.a.x + 100, y: before.a.y + 60 });
  });

  it('deleting a group keeps its nodes; deleting a node takes it out of its group', () => {
    const s = store();
    s.getState().selectOnly([a, b]);
    const id = s.getState().groupSelection()!;
    s.getState().onNodesChange([{ type: 'select', id: GROUP_PREFIX + id, selected: true }]);
    s.getState().deleteSelection();
    expect(s.getState().meta.groups).toBeUndefined();
    expect(s.getState().nodes.map((n) => n.id)).toContain(a);
    s.temporal.getState().undo();
    expect(s.getState().meta.groups?.[0].nodes).toEqual([a, b]);

    s.getState().selectOnly([a]);
    s.getState().deleteSelection();
    expect(s.getState().meta.groups?.[0].nodes).toEqual([b]);
    s.getState().ungroup(id);
    expect(s.getState().meta.groups).toBeUndefined();
    expect(s.getState().nodes.some((n) => n.id === b)).toBe(true);
  });

  it('adds, edits, moves, resizes and deletes a comment, each undoable', () => {
    const s = store();
    const id = s.getState().addComment({ x: 10, y: 20 });
    s.getState().updateComment(id, { text: 'Readings every second' });
    s.getState().onNodesChange([{ type: 'position', id: `@comment/${id}`, position: { x: 200, y: 40 } }]);
    s.getState().onNodesChange([
      { type: 'dimensions', id: `@comment/${id}`, dimensions: { width: 300.4, height: 120 }, resizing: true },
    ]);
    expect(s.getState().meta.comments).toEqual([
      { id, text: 'Readings every second', position: { x: 200, y: 40 }, width: 300, height: 120 },
    ]);
    s.temporal.getState().undo();
    expect(s.getState().meta.comments?.[0].width).toBe(220);
    s.getState().onNodesChange([{ type: 'select', id: `@comment/${id}`, selected: true }]);
    s.getState().deleteSelection();
    expect(s.getState().meta.comments).toBeUndefined();
  });

  it('round-trips through the document: the file holds them as written, and the canvas draws them', () => {
    const s = store();
    s.getState().selectOnly([a, c]);
    s.getState().groupSelection('Both');
    s.getState().addComment({ x: 0, y: -100 }, 'note');
    const doc = toDocument(s.getState());
    expect(doc.groups?.[0]).toMatchObject({ name: 'Both', nodes: [a, c] });
    expect(doc.comments?.[0]).toMatchObject({ text: 'note', position: { x: 0, y: -100 } });
    const again = toDocument(fromDocument(JSON.parse(serializeFlow(doc)) as FlowDocument));
    expect(serializeFlow(again)).toBe(serializeFlow(doc));
    const drawn = organiseNodes(s.getState().nodes, doc.comments, doc.groups, new Set());
    expect(drawn.map((n) => n.type)).toEqual(['group-frame', 'comment']);
  });

  it('copy and paste brings a whole group back around the copies, and the selected comments', () => {
    const s = store();
    s.getState().selectOnly([a, b]);
    const id = s.getState().groupSelection('Ingest')!;
    const note = s.getState().addComment({ x: 0, y: -100 }, 'note');
    const copied = makeFragment(s.getState(), new Set([a, b]), new Set([note]))!;
    expect(copied.groups?.map((g) => g.id)).toEqual([id]);
    // Through the clipboard's text, as the editor does.
    const fragment = parseFragment(JSON.stringify(copied))!;
    s.getState().insert(pasteFragment(s.getState(), fragment));
    const groups = s.getState().meta.groups!;
    expect(groups).toHaveLength(2);
    const copy = groups[1];
    expect(copy.id).not.toBe(id);
    expect(copy.name).toBe('Ingest');
    expect(copy.nodes).toHaveLength(2);
    expect(copy.nodes.some((n) => n === a || n === b)).toBe(false);
    expect(copy.nodes.every((n) => s.getState().nodes.some((x) => x.id === n))).toBe(true);
    expect(s.getState().meta.comments?.map((c) => c.text)).toEqual(['note', 'note']);
    // A group only partly copied is not copied (its nodes are).
    expect(makeFragment(s.getState(), new Set([a]))?.groups).toBeUndefined();
    s.temporal.getState().undo();
    expect(s.getState().meta.groups).toHaveLength(1);
  });
});
