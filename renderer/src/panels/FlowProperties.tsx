/** With nothing selected: the flow's name, description and settings, and every problem in it. */
import { useCallback, useMemo } from 'react';
import { FlowSettings, failureFateProblem, type Problem } from '../../../src/flow/index.js';
import { placeProblems } from '../forms/errors.js';
import { LazySchemaForm as SchemaForm } from '../forms/LazySchemaForm.js';
import { catalog } from '../model/catalog.js';
import { toDocument } from '../model/convert.js';
import { jsonEqual } from '../model/equal.js';
import { portsOf } from '../model/ports.js';
import { useFlow, useFlowStore } from '../state/flow-context.js';
import css from './Panel.module.css';
import { ProblemList } from './ProblemList.js';
import { useRevealNode } from './reveal.js';

const SETTINGS_PATH = /^\/settings/;
const baseSettingsSchema = JSON.parse(JSON.stringify(FlowSettings)) as {
  properties: Record<string, Record<string, unknown>>;
};

export function FlowProperties() {
  const store = useFlowStore();
  const meta = useFlow((s) => s.meta);
  const nodes = useFlow((s) => s.nodes);
  const problems = useFlow((s) => s.problems);
  const edges = useFlow((s) => s.edges);
  const connections = useFlow((s) => s.connections);
  // What becomes of a failed message (as `sluice validate` says it): shown under the settings that decide it.
  const fate = useMemo(
    () => failureFateProblem(toDocument({ meta, nodes, edges, connections }), catalog),
    [meta, nodes, edges, connections],
  );
  const reveal = useRevealNode();

  // The error route is one of the flow's nodes that takes input: offer exactly those.
  const routeTargets = useMemo(
    () =>
      nodes
        .filter((n) => portsOf(n.data.type, n.data.config).inputs.length > 0)
        .map((n) => n.id)
        .join('\n'),
    [nodes],
  );
  const schema = useMemo(() => {
    const s = structuredClone(baseSettingsSchema);
    const ids = routeTargets ? routeTargets.split('\n') : [];
    s.properties.errorRoute = {
      ...s.properties.errorRoute,
      title: 'Error route',
      description: 'A node that receives every failed message no error port took.',
      ...(ids.length ? { enum: ids } : {}),
    };
    s.properties.onError = { ...s.properties.onError, title: 'When a failed message has no route' };
    s.properties.transientFailures = {
      ...s.properties.transientFailures,
      title: 'When a service is down',
      'x-advanced': true,
    };
    s.properties.maxInFlight = {
      ...s.properties.maxInFlight,
      title: 'In-flight messages per source',
      'x-advanced': true,
    };
    s.properties.drainTimeoutMs = {
      ...s.properties.drainTimeoutMs,
      title: 'Drain time on stop (ms)',
      'x-advanced': true,
    };
    s.properties.stopTimeoutMs = {
      ...s.properties.stopTimeoutMs,
      title: 'Time each node may take to stop (ms)',
      'x-advanced': true,
    };
    return s;
  }, [routeTargets]);

  const settingsProblems = placeProblems(
    problems.filter((p) => SETTINGS_PATH.test(p.path)),
    SETTINGS_PATH,
  );
  const onSettings = useCallback(
    (settings: Record<string, unknown>) => {
      const cur = store.getState().meta.settings;
      if (jsonEqual(cur ?? {}, settings)) return;
      store.getState().setMeta({ settings });
    },
    [store],
  );

  const pick = (p: Problem) => {
    if (p.nodeId) reveal(p.nodeId);
  };

  return (
    <div className={css.scroll} data-testid="flow-properties">
      <div className={css.kind}>Flow</div>
      <div className={css.field} style={{ marginTop: 10 }}>
        <label htmlFor="flow-name">Name</label>
        <input
          id="flow-name"
          type="text"
          value={meta.name ?? ''}
          onChange={(e) => store.getState().setMeta({ name: e.target.value || undefined })}
        />
      </div>
      <div className={css.field}>
        <label htmlFor="flow-description">Description</label>
        <textarea
          id="flow-description"
          value={meta.description ?? ''}
          onChange={(e) => store.getState().setMeta({ description: e.target.value || undefined })}
        />
      </div>
      <div className={css.section}>Problems</div>
      {problems.length === 0 ? (
        <div className={css.ok} data-testid="no-problems">
          No problems: this flow is valid.
        </div>
      ) : (
        <ProblemList problems={problems} onPick={pick} showWhere />
      )}
      <div className={css.section}>Settings</div>
      <SchemaForm
        idPrefix="settings"
        schema={schema}
        value={(meta.settings ?? {}) as Record<string, unknown>}
        errors={settingsProblems.errorSchema}
        onChange={onSettings}
      />
      <div className={`${css.problem} ${css.problemInfo}`} data-testid="failure-fate">
        {fate
          ? `${fate.message}. ${fate.hint ?? ''}`
          : 'A failed message goes to its node’s error port if wired, else to the error route.'}
      </div>
    </div>
  );
}
