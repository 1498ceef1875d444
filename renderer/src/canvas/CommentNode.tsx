/** A comment on the canvas: a note with its text; double-click to edit, drag the corner to resize. */
import { type NodeProps, NodeResizer } from '@xyflow/react';
import { memo, useState } from 'react';
import type { CommentNode as CommentNodeType } from '../model/organise.js';
import { useFlowStore } from '../state/flow-context.js';
import css from './Organise.module.css';

function CommentView({ data, selected }: NodeProps<CommentNodeType>) {
  const store = useFlowStore();
  const { comment } = data;
  const [editing, setEditing] = useState(false);
  const finish = (text: string) => {
    setEditing(false);
    if (text !== comment.text) store.getState().updateComment(comment.id, { text });
  };
  return (
    <>
      <NodeResizer isVisible={Boolean(selected) && !editing} minWidth={80} minHeight={40} />
      {editing ? (
        <textarea
          className={`${css.commentEdit} nodrag nowheel`}
          defaultValue={comment.text}
          aria-label="Comment text"
          // biome-ignore lint/a11y/noAutofocus: the user just asked to edit this comment
          autoFocus
          onBlur={(e) => finish(e.currentTarget.value)}
          onKeyDown={(e) => {
            // Ctrl+Enter ends the edit here; it must not reach the canvas shortcuts (where it deploys).
            if (e.key === 'Escape') {
              e.stopPropagation();
              setEditing(false);
            } else if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
              e.stopPropagation();
              e.preventDefault();
              finish(e.currentTarget.value);
            }
          }}
        />
      ) : (
        // biome-ignore lint/a11y/noStaticElementInteractions: double-click to edit is a pointer shortcut on a canvas item, as in Node-RED
        <div
          className={`${css.comment} ${selected ? css.selected : ''}`}
          data-testid={`comment-${comment.id}`}
          title="Double-click to edit"
          onDoubleClick={() => setEditing(true)}
        >
          {comment.text}
        </div>
      )}
    </>
  );
}

export const CommentNode = memo(CommentView);
