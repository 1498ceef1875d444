/**
 * Node types by category, from nodes/catalog.ts (never a second list), with search. Drag an item onto the canvas,
 * or press Enter / double-click to add it in the middle of the view.
 */
import { useMemo, useState } from 'react';
import type { NodeDefinition } from '../../../src/spec/index.js';
import { PALETTE_MIME } from '../canvas/palette-drag.js';
import { CATEGORIES, catalog, FALLBACK_COLOR } from '../model/catalog.js';
import { useFlow } from '../state/flow-context.js';
import { CategoryIcon } from '../ui/CategoryIcon.js';
import { IconSearch } from '../ui/icons.js';
import css from './Palette.module.css';
import { SubflowItems, subflowMatchesQuery } from './SubflowItems.js';

function matches(def: NodeDefinition, q: string): boolean {
  if (!q) return true;
  const hay = `${def.title} ${def.type} ${def.summary} ${def.category}`.toLowerCase();
  return q
    .toLowerCase()
    .split(/\s+/)
    .every((w) => hay.includes(w));
}

export function Palette({ onAdd }: { onAdd: (type: string) => void }) {
  const [query, setQuery] = useState('');
  const groups = useMemo(
    () =>
      CATEGORIES.map((c) => ({
        ...c,
        items: catalog.nodes.filter((d) => d.category === c.id && matches(d, query.trim())),
      })).filter((g) => g.items.length > 0),
    [query],
  );
  const subflowMatches = useFlow(
    (s) =>
      (s.meta.subflows ?? []).filter((d) => d.id !== s.meta.subflow?.id && subflowMatchesQuery(d, query.trim())).length,
  );
  return (
    <aside className={css.palette} aria-label="Node palette">
      <div className={css.search}>
        <IconSearch />
        <input
          type="search"
          placeholder="Search nodes"
          aria-label="Search nodes"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          onKeyDown={(e) => {
            const first = groups[0]?.items[0];
            if (e.key === 'Enter' && first) onAdd(first.type);
          }}
        />
      </div>
      <div className={css.list}>
        {groups.map((g) => (
          <section key={g.id}>
            <h3 className={css.heading}>{g.title}</h3>
            {g.items.map((d) => (
              <button
                type="button"
                key={d.type}
                className={css.item}
                draggable
                data-testid={`palette-${d.type}`}
                title={`${d.summary}\nDrag onto the canvas, or press Enter to add.`}
                onDragStart={(e) => {
                  e.dataTransfer.setData(PALETTE_MIME, d.type);
                  e.dataTransfer.effectAllowed = 'copy';
                }}
                onDoubleClick={() => onAdd(d.type)}
                onKeyDown={(e) => {
                  if (e.key === 'Enter' || e.key === ' ') {
                    e.preventDefault();
                    onAdd(d.type);
                  }
                }}
              >
                <span className={css.swatch} style={{ background: d.color ?? FALLBACK_COLOR }}>
                  <CategoryIcon category={d.category} size={14} />
                </span>
                <span className={css.text}>
                  <div className={css.title}>{d.title}</div>
                  <div className={css.summary}>{d.summary}</div>
                </span>
              </button>
            ))}
          </section>
        ))}
        <SubflowItems query={query.trim()} onAdd={onAdd} />
        {groups.length === 0 && !subflowMatches && <div className={css.empty}>No node type matches “{query}”.</div>}
      </div>
    </aside>
  );
}
