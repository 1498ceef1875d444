/**
 * Help for a node type, generated from its definition (as docs/nodes is): summary, docs, ports, settings with their
 * defaults, and examples. Shows the selected node's type, or the type picked here.
 */
import { Fragment, type ReactNode, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { NodeDefinition } from '../../../src/spec/index.js';
import { outputPorts } from '../../../src/spec/index.js';
import { catalog, nodeDefinition } from '../model/catalog.js';
import { findSubflow } from '../model/subflows.js';
import { useFlow } from '../state/flow-context.js';
import css from './Panel.module.css';
import { SubflowHelp } from './SubflowHelp.js';

/** Inline markdown of the definitions' docs: `code`, [links](url) and **bold**; the rest is text. */
function inline(text: string): ReactNode[] {
  const out: ReactNode[] = [];
  const re = /`([^`]+)`|\[([^\]]+)\]\(([^)]+)\)|\*\*([^*]+)\*\*/g;
  let last = 0;
  let m: RegExpExecArray | null;
  // biome-ignore lint/suspicious/noAssignInExpressions: the usual regex loop
  while ((m = re.exec(text)) !== null) {
    if (m.index > last) out.push(text.slice(last, m.index));
    if (m[1] !== undefined) out.push(<code key={m.index}>{m[1]}</code>);
    else if (m[2] !== undefined)
      out.push(
        <a key={m.index} href={m[3]} target="_blank" rel="noreferrer noopener">
          {m[2]}
        </a>,
      );
    else out.push(<strong key={m.index}>{m[4]}</strong>);
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

/** Paragraphs and "- " lists; a definition's docs are short markdown. Escaped backticks (\\`) are plain ones. */
function Markdown({ text }: { text: string }) {
  const blocks = text.replace(/\\`/g, '`').split(/\n\s*\n/);
  return (
    <>
      {blocks.map((b, i) => {
        const lines = b.split('\n');
        if (lines.every((l) => /^\s*[-*] /.test(l) || l.trim() === '')) {
          return (
            // biome-ignore lint/suspicious/noArrayIndexKey: blocks of one fixed text
            <ul key={i} className={css.helpList}>
              {lines
                .filter((l) => l.trim())
                .map((l, j) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: lines of one fixed block
                  <li key={j}>{inline(l.replace(/^\s*[-*] /, ''))}</li>
                ))}
            </ul>
          );
        }
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: blocks of one fixed text
          <p key={i} className={css.summary}>
            {inline(lines.join(' '))}
          </p>
        );
      })}
    </>
  );
}

interface FieldSchema {
  title?: string;
  description?: string;
  default?: unknown;
  type?: string;
  enum?: unknown[];
  'x-advanced'?: boolean;
}

function Settings({ def }: { def: NodeDefinition }) {
  const schema = def.config as unknown as { properties?: Record<string, FieldSchema>; required?: string[] };
  const props = Object.entries(schema.properties ?? {});
  if (props.length === 0) return <p className={css.muted}>No settings.</p>;
  const required = new Set(schema.required ?? []);
  return (
    <dl className={css.helpFields}>
      {props.map(([name, p]) => (
        <Fragment key={name}>
          <dt>
            {p.title ?? name}{' '}
            <span className={css.muted}>
              {required.has(name) && p.default === undefined ? 'required' : 'optional'}
              {p['x-advanced'] ? ', advanced' : ''}
              {p.default !== undefined ? ` · default ${JSON.stringify(p.default)}` : ''}
            </span>
          </dt>
          <dd>{p.description ? inline(p.description.replace(/\\`/g, '`')) : null}</dd>
        </Fragment>
      ))}
    </dl>
  );
}

export function NodeHelp() {
  const selectedType = useFlow(useShallow((s) => s.nodes.find((n) => n.selected)?.data.type));
  const [picked, setPicked] = useState<string | undefined>(undefined);
  const type = picked ?? selectedType ?? catalog.nodes[0]?.type;
  const def = type ? nodeDefinition(type) : undefined;
  const subflow = useFlow((s) => (type ? findSubflow(s.meta.subflows, type) : undefined));
  if (subflow && !picked) {
    return (
      <div className={css.scroll} data-testid="node-help">
        <SubflowHelp def={subflow} />
      </div>
    );
  }
  return (
    <div className={css.scroll} data-testid="node-help">
      <div className={css.field}>
        <label htmlFor="help-type">Node type</label>
        <select id="help-type" value={type ?? ''} onChange={(e) => setPicked(e.target.value)}>
          {catalog.nodes.map((d) => (
            <option key={d.type} value={d.type}>
              {d.title} ({d.type})
            </option>
          ))}
        </select>
      </div>
      {def ? (
        <>
          <div className={css.headTitle}>{def.title}</div>
          <p className={css.summary}>{inline(def.summary)}</p>
          <div className={css.section}>How it works</div>
          <Markdown text={def.docs} />
          <div className={css.section}>Ports</div>
          <p className={css.summary}>
            In: {def.inputs.map((p) => p.name).join(', ') || 'none (a source)'} · Out:{' '}
            {outputPorts(def, {})
              .map((p) => p.name)
              .join(', ') || 'none (a sink)'}
          </p>
          <div className={css.section}>Settings</div>
          <Settings def={def} />
          {def.examples && def.examples.length > 0 && (
            <>
              <div className={css.section}>Examples</div>
              {def.examples.map((e) => (
                <div key={e.title}>
                  <div className={css.muted}>{e.title}</div>
                  <pre className={css.helpCode}>{JSON.stringify(e.config, null, 2)}</pre>
                </div>
              ))}
            </>
          )}
        </>
      ) : (
        <p className={css.muted}>Pick a node type.</p>
      )}
    </div>
  );
}
