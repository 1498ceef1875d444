/**
 * A group's frame: drawn around its nodes (see model/organise.ts), titled and coloured. Dragging it moves its nodes;
 * when selected it offers colours and "Ungroup" (Delete also removes the group and keeps the nodes).
 */
import type { NodeProps } from '@xyflow/react';
import { type CSSProperties, memo, useState } from 'react';
import { GROUP_COLORS, type GroupNode } from '../model/organise.js';
import { useFlowStore } from '../state/flow-context.js';
import css from './Organise.module.css';

function GroupFrameView({ data, selected }: NodeProps<GroupNode>) {
  const store = useFlowStore();
  const { group } = data;
  const [editing, setEditing] = useState(false);
  const color = group.color ?? GROUP_COLORS[0];
  const finish = (name: string) => {
    setEditing(false);
    if (name !== (group.name ?? '')) store.getState().updateGroup(group.id, { name });
  };
  return (
    <div
      className={`${css.frame} ${selected ? css.selected : ''}`}
      style={{ '--group-color': color } as CSSProperties}
      data-testid={`group-${group.id}`}
    >
      <div className={css.frameHeader}>
        {editing ? (
          <input
            className={`${css.titleEdit} nodrag`}
            defaultValue={group.name ?? ''}
            aria-label="Group title"
            // biome-ignore lint/a11y/noAutofocus: the user just asked to rename this group
            autoFocus
            onBlur={(e) => finish(e.currentTarget.value)}
            onKeyDown={(e) => {
              if (e.key !== 'Enter' && e.key !== 'Escape') return;
              e.stopPropagation();
              if (e.key === 'Enter') finish(e.currentTarget.value);
              else setEditing(false);
            }}
          />
        ) : (
          // biome-ignore lint/a11y/noStaticElementInteractions: double-click to edit is a pointer shortcut, as on the canvas nodes; the selected frame's Rename button is the keyboard path
          <span
            className={css.title}
            data-testid={`group-title-${group.id}`}
            title="Double-click to rename"
            onDoubleClick={() => setEditing(true)}
          >
            {group.name ?? group.id}
          </span>
        )}
      </div>
      {selected && (
        <div className={`${css.tools} nodrag`}>
          {GROUP_COLORS.map((c) => (
            <button
              key={c}
              type="button"
              className={css.swatch}
              style={{ '--swatch': c } as CSSProperties}
              aria-label={`Colour ${c}`}
              aria-pressed={c === color}
              onClick={() => store.getState().updateGroup(group.id, { color: c })}
            />
          ))}
          <button type="button" className={css.toolButton} onClick={() => setEditing(true)}>
            Rename
          </button>
          <button type="button" className={css.toolButton} onClick={() => store.getState().ungroup(group.id)}>
            Ungroup
          </button>
        </div>
      )}
    </div>
  );
}

export const GroupFrame = memo(GroupFrameView);
