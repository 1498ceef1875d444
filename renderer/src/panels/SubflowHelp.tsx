/** Help for a subflow's use: what the flow's definition says (description, ports, parameters). */
import type { FlowSubflow } from '../../../src/flow/index.js';
import { subflowTitle, subflowUsePorts } from '../model/subflows.js';
import css from './Panel.module.css';

export function SubflowHelp({ def }: { def: FlowSubflow }) {
  const ports = subflowUsePorts(def);
  const params = Object.entries(def.parameters ?? {});
  return (
    <div data-testid="subflow-help">
      <div className={css.headTitle}>{subflowTitle(def)}</div>
      <p className={css.summary}>
        {def.description ?? 'A subflow of this flow: its nodes run in place of each use (Edit subflow opens them).'}
      </p>
      <div className={css.section}>Ports</div>
      <p className={css.summary}>
        In: {ports.inputs.map((p) => p.name).join(', ') || 'none'} · Out: {ports.outputs.map((p) => p.name).join(', ')}
      </p>
      <div className={css.section}>Parameters</div>
      {params.length === 0 ? (
        <p className={css.muted}>None.</p>
      ) : (
        <dl className={css.helpList}>
          {params.map(([name, p]) => (
            <div key={name}>
              <dt>
                {p.title ?? name} <code>{`\${param:${name}}`}</code>
              </dt>
              <dd>
                {p.type}
                {p.default === undefined ? ', required' : `, default ${JSON.stringify(p.default)}`}
                {p.description ? ` · ${p.description}` : ''}
              </dd>
            </div>
          ))}
        </dl>
      )}
    </div>
  );
}
