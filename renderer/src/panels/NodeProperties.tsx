/** Properties of one node: name, id, and the config form generated from its definition's JSON Schema. */
import { useCallback } from 'react';
import { isSubflowType } from '../../../src/flow/index.js';
import { NODE_CONFIG_PATH, placeProblems } from '../forms/errors.js';
import { LazySchemaForm as SchemaForm } from '../forms/LazySchemaForm.js';
import { RichText } from '../forms/templates.js';
import { FALLBACK_COLOR, nodeDefinition } from '../model/catalog.js';
import { jsonEqual } from '../model/equal.js';
import { isPortNodeType } from '../model/subflows.js';
import type { NodeData } from '../model/types.js';
import { useFlow, useFlowStore } from '../state/flow-context.js';
import { useUi } from '../state/ui-store.js';
import { CategoryIcon } from '../ui/CategoryIcon.js';
import { IconBeaker } from '../ui/icons.js';
import { InjectSection } from './InjectSection.js';
import { NodeRuntime } from './NodeRuntime.js';
import css from './Panel.module.css';
import { ProblemList } from './ProblemList.js';
import { SubflowProperties } from './SubflowProperties.js';
import { SubflowUseProperties } from './SubflowUseProperties.js';

export function NodeProperties({ id }: { id: string }) {
  const data = useFlow((s) => s.nodes.find((n) => n.id === id)?.data);
  if (!data) return null;
  if (isSubflowType(data.type)) return <SubflowUseProperties id={id} data={data} />;
  // The In and Out nodes of an open subflow stand for its ports: the subflow's own properties.
  if (isPortNodeType(data.type)) return <SubflowProperties />;
  return <NodeForm id={id} data={data} />;
}

function NodeForm({ id, data }: { id: string; data: NodeData }) {
  const store = useFlowStore();
  const def = nodeDefinition(data.type);
  const problems = useFlow((s) => s.problemsByNode[id]);
  const placed = placeProblems(problems, NODE_CONFIG_PATH, def?.config);

  const onConfig = useCallback(
    (config: Record<string, unknown>) => {
      const current = store.getState().nodes.find((n) => n.id === id)?.data.config;
      if (jsonEqual(current, config)) return;
      store.getState().updateNode(id, { config });
    },
    [store, id],
  );

  return (
    <div className={css.scroll} data-testid="node-properties">
      <div className={css.head}>
        <span className={css.swatch} style={{ background: def?.color ?? FALLBACK_COLOR }}>
          <CategoryIcon category={def?.category} size={16} />
        </span>
        <div className={css.headText}>
          <div className={css.kind}>
            {/* "transform · Transform" says one thing twice: the category only when the title differs. */}
            {def
              ? def.title.toLowerCase() === def.category
                ? def.title
                : `${def.category} · ${def.title}`
              : `unknown type "${data.type}"`}
          </div>
          <div className={css.headTitle}>{data.name ?? def?.title ?? data.type}</div>
        </div>
        <button
          type="button"
          className={css.button}
          title="Send a sample message into this node and see what every node emits"
          onClick={() => useUi.getState().showBottom('try')}
        >
          <IconBeaker size={14} /> Try it
        </button>
        <button
          type="button"
          className={css.button}
          title="This node type's documentation and examples"
          onClick={() => useUi.getState().setSide('help')}
        >
          Help
        </button>
      </div>
      {def && (
        <p className={css.summary}>
          <RichText text={def.summary} />
        </p>
      )}
      <div className={css.field}>
        <label htmlFor="node-name">Name</label>
        <input
          id="node-name"
          type="text"
          value={data.name ?? ''}
          placeholder={def?.title ?? data.type}
          onChange={(e) => store.getState().updateNode(id, { name: e.target.value })}
        />
        <div className={css.idRow}>
          id <code>{id}</code>
        </div>
      </div>
      <NodeRuntime id={id} />
      {def?.category === 'source' && <InjectSection id={id} ownPayload={data.type === 'inject'} />}
      <ProblemList problems={placed.general} />
      {def ? (
        <>
          <div className={css.section}>Configuration</div>
          <SchemaForm
            idPrefix={`cfg-${id}`}
            schema={def.config}
            value={data.config}
            errors={placed.errorSchema}
            onChange={onConfig}
          />
        </>
      ) : (
        <p className={css.muted}>This node type is not installed, so its settings cannot be edited here.</p>
      )}
    </div>
  );
}
