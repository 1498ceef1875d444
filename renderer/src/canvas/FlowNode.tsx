/**
 * A node on the canvas: caption and color from its definition, one handle per port (a switch's outputs follow its
 * rules, plus the implicit `error` output), a problem badge, and while deployed a status dot and counters.
 * Buttons as in Node-RED: ▶ on a running source (an inject node sends its own payload), on/off on a debug node;
 * while deployed, a click on an output handle watches that output (as a double-click on its wire does).
 * Memoised; each node subscribes only to its own slices of problems, status, counters and watched outputs.
 */
import { Handle, type NodeProps, Position, useUpdateNodeInternals } from '@xyflow/react';
import { type CSSProperties, type MouseEvent, memo, useContext, useEffect, useRef } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { ERROR_PORT } from '../../../src/spec/index.js';
import { FALLBACK_COLOR, nodeDefinition } from '../model/catalog.js';
import { handleTop } from '../model/node-geometry.js';
import { portsKey, portsOf } from '../model/ports.js';
import { runtimeOfUse, type UseRuntime } from '../model/subflow-runtime.js';
import { findSubflow, isPortNodeType, PORT_IN_TYPE, SUBFLOW_COLOR, subflowTitle } from '../model/subflows.js';
import type { EditorNode } from '../model/types.js';
import { debugActive, setDebugActive } from '../state/debug-active.js';
import { LiveContext, useFlow, useFlowStore } from '../state/flow-context.js';
import { inject, lastInput, trigger } from '../state/inject.js';
import { useRuntime } from '../state/runtime-store.js';
import { tapKey, toggleTap, useTaps } from '../state/taps.js';
import { useTryRun } from '../state/try-store.js';
import css from './FlowNode.module.css';

const NOT_LIVE = { status: undefined, counters: undefined };
const NO_TAPS: readonly string[] = [];
const NOT_SEEN: UseRuntime = { in: 0, out: 0, failed: 0, dropped: 0, seen: false };

function FlowNodeView({ id, data, selected }: NodeProps<EditorNode>) {
  const def = nodeDefinition(data.type);
  // A use of a subflow: its ports and title from the flow's definition of it.
  const subflow = useFlow((s) => findSubflow(s.meta.subflows, data.type));
  const ports = portsOf(data.type, data.config, subflow ? [subflow] : undefined);
  const kind = subflow
    ? `subflow · ${subflowTitle(subflow)}`
    : isPortNodeType(data.type)
      ? data.type === PORT_IN_TYPE
        ? 'subflow inputs'
        : 'subflow outputs'
      : (def?.title ?? data.type);
  const problems = useFlow((s) => s.problemsByNode[id]);
  const live = useContext(LiveContext);
  const own = useRuntime(
    useShallow((s) => {
      const run = live === undefined || subflow ? undefined : s.flows[live];
      return run ? { status: run.statuses[id], counters: run.counters[id] } : NOT_LIVE;
    }),
  );
  // A subflow's use shows the sum of the nodes it stands for (the runtime reports those, as `use:node`).
  const sum = useRuntime(
    useShallow((s) => {
      const run = live === undefined || !subflow ? undefined : s.flows[live];
      return run ? runtimeOfUse(id, subflow!, run.statuses, run.counters) : NOT_SEEN;
    }),
  );
  const status = subflow ? (sum.state ? { state: sum.state, reason: sum.reason } : undefined) : own.status;
  const counters = subflow
    ? sum.seen
      ? { in: sum.in, out: sum.out, failed: sum.failed, dropped: sum.dropped }
      : undefined
    : own.counters;
  const tried = useTryRun((r) => r.byNode[id]);
  const store = useFlowStore();
  // Only this node's watched outputs: a tap elsewhere does not re-render it.
  const tappedPorts = useTaps(
    useShallow((s) => {
      const keys = live === undefined ? undefined : s.byFlow[live];
      if (!keys?.length) return NO_TAPS;
      const prefix = tapKey(id, '');
      return keys.filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length));
    }),
  );
  const isDebug = data.type === 'debug';
  const active = isDebug && debugActive(data.config);

  // React Flow measures handles once; when a switch gains or loses outputs it must measure again.
  const updateInternals = useUpdateNodeInternals();
  const key = portsKey(ports);
  const firstKey = useRef(key);
  useEffect(() => {
    if (key !== firstKey.current) updateInternals(id);
  }, [key, id, updateInternals]);

  const errors = problems?.filter((p) => p.severity === 'error') ?? [];
  const warnings = problems?.filter((p) => p.severity === 'warning') ?? [];
  const rows = Math.max(ports.inputs.length, ports.outputs.length, 1);
  const caption = data.name ?? (subflow ? subflowTitle(subflow) : (def?.title ?? data.type));
  const color = subflow || isPortNodeType(data.type) ? SUBFLOW_COLOR : (def?.color ?? FALLBACK_COLOR);
  const style = { '--node-color': color } as CSSProperties;

  return (
    <div
      className={`${css.node} ${selected ? css.selected : ''} ${errors.length ? css.invalid : ''} ${isDebug && !active ? css.off : ''}`}
      style={style}
      data-testid={`node-${id}`}
      data-node-type={data.type}
    >
      <div className={css.header}>
        {/* The icon is a CSS background: a thousand inline SVGs would cost more to lay out and paint. */}
        <div className={css.stripe} data-category={def?.category ?? 'utility'} />
        <div className={css.titles}>
          <div className={css.caption} title={caption}>
            {caption}
          </div>
          <div className={css.sub}>{data.name || subflow ? kind : id}</div>
        </div>
        {live !== undefined && def?.category === 'source' && (
          // As in Node-RED: a button on the source sends a message by hand (the most recent payload, see Properties).
          <button
            type="button"
            className={`${css.inject} nodrag`}
            data-testid={`inject-${id}`}
            title={
              data.type === 'inject'
                ? 'Send its payload now'
                : 'Inject a message here (the most recent payload; edit it in Properties)'
            }
            aria-label={`Inject a message into ${caption}`}
            onClick={(e) => {
              e.stopPropagation();
              // An inject node sends what it is configured with; another source, the payload last typed for it.
              if (data.type === 'inject') void trigger(live, id);
              else void inject(live, id, lastInput(live, id));
            }}
          >
            ▶
          </button>
        )}
        {isDebug && (
          // As in Node-RED: the debug node's button turns its output to the debug panel off and on, at once in a
          // running flow; the flow records it (config `active`), so saving and the next deploy keep it.
          <button
            type="button"
            className={`${css.toggle} nodrag`}
            data-testid={`debug-toggle-${id}`}
            data-active={active}
            aria-pressed={active}
            title={active ? 'On: its messages appear in the debug panel. Click to turn off' : 'Off: click to turn on'}
            aria-label={`${active ? 'Turn off' : 'Turn on'} debug node ${caption}`}
            onClick={(e) => {
              e.stopPropagation();
              void setDebugActive(store, id, !active, live);
            }}
          >
            {active ? 'on' : 'off'}
          </button>
        )}
        {status && (
          <span
            className={css.dot}
            data-state={status.state}
            data-testid={`status-${id}`}
            title={status.reason ? `${status.state}: ${status.reason}` : status.state}
          />
        )}
      </div>
      <div className={css.ports}>
        {Array.from({ length: rows }, (_, i) => {
          const input = ports.inputs[i];
          const output = ports.outputs[i];
          return (
            // biome-ignore lint/suspicious/noArrayIndexKey: rows are positional
            <div className={css.row} key={i}>
              <span>{input?.label ?? input?.name}</span>
              {output && (
                <span className={`${css.out} ${output.name === ERROR_PORT ? css.errorPort : ''}`}>
                  {output.label ?? output.name}
                </span>
              )}
            </div>
          );
        })}
      </div>
      {ports.inputs.map((p, i) => (
        <Handle
          key={`in:${p.name}`}
          id={p.name}
          type="target"
          position={Position.Left}
          style={{ top: handleTop(i) }}
          title={p.description ?? `input ${p.name}`}
          data-testid={`handle-${id}-in-${p.name}`}
        />
      ))}
      {ports.outputs.map((p, i) => {
        const watched = tappedPorts.includes(p.name);
        const describe = p.description ?? `output ${p.name}`;
        return (
          <Handle
            key={`out:${p.name}`}
            id={p.name}
            type="source"
            position={Position.Right}
            className={watched ? 'tapped' : undefined}
            style={p.name === ERROR_PORT ? { top: handleTop(i), background: '#d98c8c' } : { top: handleTop(i) }}
            title={
              live === undefined
                ? describe
                : `${describe}: click to ${watched ? 'stop watching' : 'watch'} its messages in the debug panel`
            }
            data-testid={`handle-${id}-out-${p.name}`}
            data-tapped={watched || undefined}
            // Deployed, a click on an output watches it (React Flow's click-to-connect gives way; dragging still
            // connects); a right-click does the same. A draft keeps click-to-connect.
            {...(live === undefined
              ? {}
              : {
                  onClick: (e: MouseEvent) => {
                    e.stopPropagation();
                    void toggleTap(live, id, p.name);
                  },
                  onContextMenu: (e: MouseEvent) => {
                    e.preventDefault();
                    e.stopPropagation();
                    void toggleTap(live, id, p.name);
                  },
                })}
          />
        );
      })}
      {counters && (
        <div className={css.counters} data-testid={`counters-${id}`}>
          <span>
            in <b data-counter="in">{counters.in}</b>
          </span>
          <span>
            out <b data-counter="out">{counters.out}</b>
          </span>
          {counters.dropped > 0 && (
            <span title="Messages this node dropped on purpose (a filter said no)">
              dropped <b data-counter="dropped">{counters.dropped}</b>
            </span>
          )}
          <span className={counters.failed ? css.failed : ''}>
            failed <b data-counter="failed">{counters.failed}</b>
          </span>
        </div>
      )}
      {status && (status.state !== 'idle' || status.reason) && (
        // Under the node, as Node-RED shows it: the state and why, readable without hovering.
        <div
          className={css.statusText}
          data-state={status.state}
          data-testid={`status-text-${id}`}
          title={status.reason}
        >
          {status.reason ? `${status.state}: ${status.reason}` : status.state}
        </div>
      )}
      {(errors.length > 0 || warnings.length > 0) && (
        <span
          className={`${css.badge} ${errors.length ? '' : css.warnBadge}`}
          data-testid={`badge-${id}`}
          title={[...errors, ...warnings].map((p) => p.message).join('\n')}
        >
          {errors.length || warnings.length}
        </span>
      )}
      {tried && (
        <span
          className={`${css.tried} ${tried.failed ? css.triedFailed : ''} ${tried.dropped ? css.triedDropped : ''}`}
          data-testid={`tried-${id}`}
        >
          {tried.failed
            ? 'failed'
            : tried.dropped
              ? 'dropped here'
              : tried.reached
                ? `reached ${tried.reached.join(', ')}`
                : `${tried.emitted} → ${tried.ports.join(', ')}`}
        </span>
      )}
    </div>
  );
}

export const FlowNode = memo(FlowNodeView);
