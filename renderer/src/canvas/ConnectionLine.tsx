/** The line drawn while connecting; when the target under the pointer is refused, it says why, next to the pointer. */
import { type ConnectionLineComponentProps, getBezierPath } from '@xyflow/react';
import { connectionProblem } from '../model/connect-rules.js';
import type { CanvasNode } from '../model/organise.js';
import { useFlowStore } from '../state/flow-context.js';

export function ConnectionLine(props: ConnectionLineComponentProps<CanvasNode>) {
  const { fromX, fromY, toX, toY, fromPosition, toPosition, fromHandle, toHandle, fromNode, connectionStatus } = props;
  const store = useFlowStore();
  const [path] = getBezierPath({
    sourceX: fromX,
    sourceY: fromY,
    sourcePosition: fromPosition,
    targetX: toX,
    targetY: toY,
    targetPosition: toPosition,
  });
  const hint =
    toHandle && connectionStatus !== 'valid'
      ? connectionProblem(
          store.getState(),
          { nodeId: fromNode.id, type: fromHandle.type, port: fromHandle.id ?? null },
          { nodeId: toHandle.nodeId, type: toHandle.type, port: toHandle.id ?? null },
        )
      : undefined;
  return (
    <g>
      <path
        d={path}
        fill="none"
        stroke={hint ? 'var(--danger)' : 'var(--accent)'}
        strokeWidth={1.8}
        strokeDasharray={hint ? '5 4' : undefined}
      />
      {hint && (
        <foreignObject x={toX + 12} y={toY + 10} width={280} height={60} style={{ overflow: 'visible' }}>
          <div
            data-testid="connection-hint"
            style={{
              display: 'inline-block',
              padding: '4px 8px',
              borderRadius: 5,
              background: 'var(--text)',
              color: '#fff',
              fontSize: 12,
              boxShadow: 'var(--shadow)',
            }}
          >
            {hint}
          </div>
        </foreignObject>
      )}
    </g>
  );
}
