/**
 * A node on the canvas: caption and color from its definition, one handle per port (a switch's outputs follow its
 * rules, plus the implicit `error` output), a problem badge, and while deployed a status dot and counters.
 * Memoised; each node subscribes only to its own slices of problems, status and counters.
 */
import { Handle, type NodeProps, Position, useUpdateNodeInternals } from '@xyflow/react';
import { type CSSProperties, memo, useContext, useEffect, useRef } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { ERROR_PORT } from '../../../src/spec/index.js';
import { FALLBACK_COLOR, nodeDefinition } from '../model/catalog.js';
import { handleTop } from '../model/node-geometry.js';
import { portsKey, portsOf } from '../model/ports.js';
import type { EditorNode } from '../model/types.js';
import { LiveContext, useFlow } from '../state/flow-context.js';
import { inject, lastInput } from '../state/inject.js';
import { useRuntime } from '../state/runtime-store.js';
import { useTryRun } from '../state/try-store.js';
import css from './FlowNode.module.css';

const NOT_LIVE = { status: undefined, counters: undefined };

function FlowNodeView({ id, data, selected }: NodeProps<EditorNode>) {
  const def = nodeDefinition(data.type);
  const ports = portsOf(data.type, data.config);
  const problems = useFlow((s) => s.problemsByNode[id]);
  const live = useContext(LiveContext);
  const { status, counters } = useRuntime(
    useShallow((s) => {
      const run = live === undefined ? undefined : s.flows[live];
      return run ? { status: run.statuses[id], counters: run.counters[id] } : NOT_LIVE;
    }),
  );
  const tried = useTryRun((r) => r.byNode[id]);

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
  const caption = data.name ?? def?.title ?? data.type;
  const style = { '--node-color': def?.color ?? FALLBACK_COLOR } as CSSProperties;

  return (
    <div
      className={`${css.node} ${selected ? css.selected : ''} ${errors.length ? css.invalid : ''}`}
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
          <div className={css.sub}>{data.name ? (def?.title ?? data.type) : id}</div>
        </div>
        {live !== undefined && def?.category === 'source' && (
          // As in Node-RED: a button on the source sends a message by hand (the most recent payload, see Properties).
          <button
            type="button"
            className={`${css.inject} nodrag`}
            data-testid={`inject-${id}`}
            title="Inject a message here (the most recent payload; edit it in Properties)"
            aria-label={`Inject a message into ${caption}`}
            onClick={(e) => {
              e.stopPropagation();
              void inject(live, id, lastInput(live, id));
            }}
          >
            ▶
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
      {ports.outputs.map((p, i) => (
        <Handle
          key={`out:${p.name}`}
          id={p.name}
          type="source"
          position={Position.Right}
          style={p.name === ERROR_PORT ? { top: handleTop(i), background: '#d98c8c' } : { top: handleTop(i) }}
          title={p.description ?? `output ${p.name}`}
          data-testid={`handle-${id}-out-${p.name}`}
        />
      ))}
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
      {status && status.state !== 'idle' && (
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
          {tried.failed ? 'failed' : tried.dropped ? 'dropped here' : `${tried.emitted} → ${tried.ports.join(', ')}`}
        </span>
      )}
    </div>
  );
}

export const FlowNode = memo(FlowNodeView);
