/** A JSON value as a one-line preview that expands into a collapsible tree (debug and try-it panels). */
import { useState } from 'react';
import css from './JsonView.module.css';

export function preview(value: unknown, max = 140): string {
  let text: string;
  try {
    text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

function Scalar({ value }: { value: unknown }) {
  if (value === null) return <span className={css.null}>null</span>;
  switch (typeof value) {
    case 'string':
      return <span className={css.string}>{JSON.stringify(value)}</span>;
    case 'number':
      return <span className={css.number}>{String(value)}</span>;
    case 'boolean':
      return <span className={css.bool}>{String(value)}</span>;
    default:
      return <span className={css.null}>{String(value)}</span>;
  }
}

function Tree({ value, depth }: { value: unknown; depth: number }) {
  if (value === null || typeof value !== 'object') return <Scalar value={value} />;
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
  const open = Array.isArray(value) ? '[' : '{';
  const close = Array.isArray(value) ? ']' : '}';
  if (entries.length === 0) return <span>{`${open}${close}`}</span>;
  return (
    <details open={depth < 2} className={css.node}>
      <summary>
        {open}
        <span className={css.meta}>{Array.isArray(value) ? `${entries.length} items` : `${entries.length} keys`}</span>
        {close}
      </summary>
      <div className={css.children}>
        {entries.map(([k, v]) => (
          <div key={k} className={css.entry}>
            <span className={css.key}>{k}</span>: <Tree value={v} depth={depth + 1} />
          </div>
        ))}
      </div>
    </details>
  );
}

export function JsonView({ value, label }: { value: unknown; label?: string }) {
  const [expanded, setExpanded] = useState(false);
  return (
    <div className={css.view}>
      <button
        type="button"
        className={css.toggle}
        aria-expanded={expanded}
        onClick={() => setExpanded(!expanded)}
        title={expanded ? 'Collapse' : 'Expand'}
      >
        <span className={css.caret}>{expanded ? '▾' : '▸'}</span>
        {label && <span className={css.label}>{label}</span>}
        {!expanded && <span className={css.preview}>{preview(value)}</span>}
      </button>
      {expanded && (
        <div className={css.tree} data-testid="payload-tree">
          <Tree value={value} depth={0} />
        </div>
      )}
    </div>
  );
}
