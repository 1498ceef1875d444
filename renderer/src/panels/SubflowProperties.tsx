/**
 * Properties of the subflow open on the canvas (shown when nothing is selected there, or its In or Out node is):
 * its name and description, its input and output ports (the In and Out nodes' handles), and its parameters, which
 * each use sets and its nodes read as `${param:NAME}`.
 */
import { useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { SUBFLOW_IN, SUBFLOW_OUT, type SubflowParameter } from '../../../src/flow/index.js';
import { uniqueId } from '../model/ids.js';
import { SUBFLOW_COLOR } from '../model/subflows.js';
import { useFlow, useFlowStore } from '../state/flow-context.js';
import { deleteOpenSubflow, usesOfOpenSubflow } from '../state/subflow-actions.js';
import css from './Panel.module.css';
import { ParameterInput } from './ParameterInput.js';
import { ProblemList } from './ProblemList.js';

const TYPES: SubflowParameter['type'][] = ['string', 'number', 'integer', 'boolean'];

/** A text field that commits on Enter or leaving it (a name half typed is not applied letter by letter). */
function CommitInput({
  id,
  value,
  onCommit,
  ...rest
}: {
  id: string;
  value: string;
  onCommit(v: string): void;
  placeholder?: string;
  'aria-label'?: string;
}) {
  const [text, setText] = useState(value);
  useEffect(() => setText(value), [value]);
  return (
    <input
      id={id}
      data-testid={id}
      type="text"
      value={text}
      onChange={(e) => setText(e.target.value)}
      onBlur={() => text !== value && onCommit(text)}
      onKeyDown={(e) => {
        if (e.key === 'Enter') (e.target as HTMLInputElement).blur();
      }}
      {...rest}
    />
  );
}

const list = (text: string) =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

export function SubflowProperties() {
  const store = useFlowStore();
  const meta = useFlow((s) => s.meta);
  const problems = useFlow(useShallow((s) => s.problems.filter((p) => p.nodeId === undefined)));
  const inputs = useFlow((s) => String(s.nodes.find((n) => n.id === SUBFLOW_IN)?.data.config.ports ?? ''));
  const outputs = useFlow((s) => String(s.nodes.find((n) => n.id === SUBFLOW_OUT)?.data.config.ports ?? ''));
  const sub = meta.subflow;
  if (!sub) return null;
  const params = Object.entries(sub.parameters ?? {});
  const setParams = (entries: [string, SubflowParameter][]) =>
    store.getState().setMeta({ subflow: { ...sub, parameters: Object.fromEntries(entries) } });
  const setParam = (i: number, name: string, param: SubflowParameter) =>
    setParams(params.map((e, j) => (j === i ? [name, param] : e)));

  return (
    <div className={css.scroll} data-testid="subflow-properties">
      <div className={css.head}>
        <span className={css.swatch} style={{ background: SUBFLOW_COLOR }} />
        <div className={css.headText}>
          <div className={css.kind}>subflow</div>
          <div className={css.headTitle}>{meta.name || sub.id}</div>
        </div>
      </div>
      <div className={css.field}>
        <label htmlFor="subflow-name">Name</label>
        <input
          id="subflow-name"
          data-testid="subflow-name"
          type="text"
          value={meta.name ?? ''}
          placeholder={sub.id}
          onChange={(e) => store.getState().setMeta({ name: e.target.value })}
        />
        <div className={css.idRow}>
          node type <code>subflow:{sub.id}</code>
        </div>
      </div>
      <div className={css.field}>
        <label htmlFor="subflow-description">Description</label>
        <textarea
          id="subflow-description"
          value={meta.description ?? ''}
          onChange={(e) => store.getState().setMeta({ description: e.target.value || undefined })}
        />
      </div>
      <div className={css.field}>
        <label htmlFor="subflow-inputs">Inputs</label>
        <CommitInput
          id="subflow-inputs"
          value={inputs.split(',').join(', ')}
          placeholder="none"
          onCommit={(v) => store.getState().updateNode(SUBFLOW_IN, { config: { ports: list(v) } })}
        />
        <div className={css.idRow}>port names, comma-separated: the In node's outputs, the use's inputs</div>
      </div>
      <div className={css.field}>
        <label htmlFor="subflow-outputs">Outputs</label>
        <CommitInput
          id="subflow-outputs"
          value={outputs.split(',').join(', ')}
          placeholder="none"
          onCommit={(v) => store.getState().updateNode(SUBFLOW_OUT, { config: { ports: list(v) } })}
        />
        <div className={css.idRow}>
          the Out node's inputs, the use's outputs (it also has <code>error</code>: its nodes' failures)
        </div>
      </div>
      <ProblemList problems={problems} />
      <div className={css.section}>Parameters</div>
      {params.length === 0 && <p className={css.muted}>None yet. Each use sets a parameter's value.</p>}
      {params.map(([name, param], i) => (
        <div className={css.field} key={name} data-testid={`parameter-${name}`}>
          <div className={css.row}>
            <CommitInput
              id={`param-name-${i}`}
              aria-label="Parameter name"
              value={name}
              onCommit={(v) => v.trim() && setParam(i, v.trim(), param)}
            />
            <select
              aria-label="Parameter type"
              data-testid={`param-type-${i}`}
              value={param.type}
              onChange={(e) => {
                const { default: _d, ...rest } = param;
                setParam(i, name, { ...rest, type: e.target.value as SubflowParameter['type'] });
              }}
            >
              {TYPES.map((t) => (
                <option key={t} value={t}>
                  {t}
                </option>
              ))}
            </select>
            <button
              type="button"
              className={css.button}
              aria-label={`Remove parameter ${name}`}
              onClick={() => setParams(params.filter((_, j) => j !== i))}
            >
              ✕
            </button>
          </div>
          <label htmlFor={`param-default-${i}`}>Default</label>
          <ParameterInput
            id={`param-default-${i}`}
            param={param}
            value={param.default}
            placeholder="none: each use must set it"
            onChange={(v) => {
              const { default: _d, ...rest } = param;
              setParam(i, name, v === undefined ? rest : { ...rest, default: v });
            }}
          />
          <div className={css.idRow}>
            read as <code>{`\${param:${name}}`}</code>
          </div>
        </div>
      ))}
      <button
        type="button"
        className={css.button}
        data-testid="add-parameter"
        onClick={() =>
          setParams([
            ...params,
            [uniqueId('param', new Set(params.map(([n]) => n))).replace('-', ''), { type: 'string' }],
          ])
        }
      >
        + Add parameter
      </button>
      <DeleteSubflow />
    </div>
  );
}

/** Deleting asks once more, saying how many uses go with it. */
function DeleteSubflow() {
  const [asking, setAsking] = useState<number | undefined>(undefined);
  return (
    <div className={css.section}>
      {asking === undefined ? (
        <button
          type="button"
          className={`${css.button} ${css.dangerButton}`}
          data-testid="delete-subflow"
          onClick={() => setAsking(usesOfOpenSubflow())}
        >
          Delete subflow
        </button>
      ) : (
        <span className={css.row}>
          {asking ? `Its ${asking} use${asking === 1 ? '' : 's'} in the flow go too.` : 'No node uses it.'}
          <button
            type="button"
            className={`${css.button} ${css.dangerButton}`}
            data-testid="confirm-delete-subflow"
            onClick={deleteOpenSubflow}
          >
            Delete
          </button>
          <button type="button" className={css.button} onClick={() => setAsking(undefined)}>
            Cancel
          </button>
        </span>
      )}
    </div>
  );
}
