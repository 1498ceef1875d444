/**
 * Properties of a use of a subflow: its name, the values of the subflow's parameters (empty: the default), and the
 * way into the subflow. Its problems include those of the subflow's nodes, in their names.
 */
import type { FlowSubflow } from '../../../src/flow/index.js';
import { findSubflow, SUBFLOW_COLOR, subflowTitle } from '../model/subflows.js';
import type { NodeData } from '../model/types.js';
import { useFlow, useFlowStore } from '../state/flow-context.js';
import { editSubflowOf } from '../state/subflow-actions.js';
import css from './Panel.module.css';
import { ParameterInput } from './ParameterInput.js';
import { ProblemList } from './ProblemList.js';

export function SubflowUseProperties({ id, data }: { id: string; data: NodeData }) {
  const def = useFlow((s) => findSubflow(s.meta.subflows, data.type));
  const problems = useFlow((s) => s.problemsByNode[id]);
  return (
    <div className={css.scroll} data-testid="node-properties">
      <div className={css.head}>
        <span className={css.swatch} style={{ background: SUBFLOW_COLOR }} />
        <div className={css.headText}>
          <div className={css.kind}>subflow · {def ? subflowTitle(def) : `unknown "${data.type}"`}</div>
          <div className={css.headTitle}>{data.name ?? (def ? subflowTitle(def) : data.type)}</div>
        </div>
        {def && (
          <button
            type="button"
            className={`${css.button} ${css.primary}`}
            data-testid="edit-subflow"
            title="Open the subflow to edit its nodes, ports and parameters (or double-click the node)"
            onClick={() => editSubflowOf(data.type)}
          >
            Edit subflow
          </button>
        )}
      </div>
      {def?.description && <p className={css.summary}>{def.description}</p>}
      <NameField id={id} data={data} placeholder={def ? subflowTitle(def) : data.type} />
      <ProblemList problems={problems ?? []} />
      {def ? (
        <Parameters id={id} def={def} config={data.config} />
      ) : (
        <p className={css.muted}>This flow has no subflow "{data.type.slice('subflow:'.length)}".</p>
      )}
    </div>
  );
}

function NameField({ id, data, placeholder }: { id: string; data: NodeData; placeholder: string }) {
  const store = useFlowStore();
  return (
    <div className={css.field}>
      <label htmlFor="node-name">Name</label>
      <input
        id="node-name"
        type="text"
        value={data.name ?? ''}
        placeholder={placeholder}
        onChange={(e) => store.getState().updateNode(id, { name: e.target.value })}
      />
      <div className={css.idRow}>
        id <code>{id}</code>
      </div>
    </div>
  );
}

function Parameters({ id, def, config }: { id: string; def: FlowSubflow; config: Record<string, unknown> }) {
  const store = useFlowStore();
  const params = Object.entries(def.parameters ?? {});
  const set = (name: string, value: unknown) => {
    const next = { ...config };
    if (value === undefined) delete next[name];
    else next[name] = value;
    store.getState().updateNode(id, { config: next });
  };
  return (
    <>
      <div className={css.section}>Parameters</div>
      {params.length === 0 && (
        <p className={css.muted}>This subflow has no parameters. Add them in the subflow (Edit subflow).</p>
      )}
      {params.map(([name, param]) => (
        <div className={css.field} key={name}>
          <label htmlFor={`param-${id}-${name}`}>{param.title ?? name}</label>
          <ParameterInput
            id={`param-${id}-${name}`}
            param={param}
            value={config[name]}
            placeholder={param.default === undefined ? 'required' : String(param.default)}
            onChange={(v) => set(name, v)}
          />
          <div className={css.idRow}>
            read inside as <code>{`\${param:${name}}`}</code>
            {param.description ? ` · ${param.description}` : ''}
          </div>
        </div>
      ))}
    </>
  );
}
