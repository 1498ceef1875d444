/** The flow document users save, export, diff and review. Isomorphic. */
import { type Static, Type } from 'typebox';

export const FLOW_FORMAT = 'sluice/flow@1';
export const FLOW_FORMAT_PREFIX = 'sluice/flow@';

const Id = Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9_.:-]+$' });

export const Position = Type.Object({ x: Type.Number(), y: Type.Number() }, { additionalProperties: false });

export const FlowNode = Type.Object(
  {
    id: Id,
    type: Type.String({ minLength: 1 }),
    name: Type.Optional(Type.String()),
    config: Type.Record(Type.String(), Type.Unknown()),
    position: Type.Optional(Position),
  },
  { additionalProperties: false },
);

export const FlowEdge = Type.Object(
  {
    id: Type.Optional(Id),
    source: Id,
    sourcePort: Type.String({ minLength: 1 }),
    target: Id,
    targetPort: Type.String({ minLength: 1 }),
  },
  { additionalProperties: false },
);

/** Inside a subflow an edge may start at its inputs (`$in`) and end at its outputs (`$out`); see subflow.ts. */
const SubflowEndpoint = Type.String({ minLength: 1, maxLength: 128, pattern: '^(\\$in|\\$out|[A-Za-z0-9_.:-]+)$' });
const PortName = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z][A-Za-z0-9_-]*$' });

export const SubflowEdge = Type.Object(
  {
    id: Type.Optional(Id),
    source: SubflowEndpoint,
    sourcePort: Type.String({ minLength: 1 }),
    target: SubflowEndpoint,
    targetPort: Type.String({ minLength: 1 }),
  },
  { additionalProperties: false },
);

export const SubflowParameter = Type.Object(
  {
    type: Type.Union([
      Type.Literal('string'),
      Type.Literal('number'),
      Type.Literal('integer'),
      Type.Literal('boolean'),
    ]),
    title: Type.Optional(Type.String()),
    description: Type.Optional(Type.String()),
    default: Type.Optional(Type.Unknown()),
  },
  { additionalProperties: false },
);

/** A reusable group of nodes, used as a node of type `subflow:<id>` (expanded by src/flow/subflow.ts). */
export const FlowSubflow = Type.Object(
  {
    id: Id,
    name: Type.Optional(Type.String()),
    description: Type.Optional(Type.String()),
    /** The use's input ports (default: one, `in`). */
    inputs: Type.Optional(Type.Array(PortName, { maxItems: 16, uniqueItems: true })),
    /** The use's output ports besides `error` (default: one, `out`). */
    outputs: Type.Optional(Type.Array(PortName, { maxItems: 16, uniqueItems: true })),
    /** Values each use sets in its config; the subflow's nodes read them as `${param:NAME}`. */
    parameters: Type.Optional(Type.Record(PortName, SubflowParameter)),
    nodes: Type.Array(FlowNode),
    edges: Type.Optional(Type.Array(SubflowEdge)),
  },
  { additionalProperties: false },
);

export const FlowConnection = Type.Object(
  {
    id: Id,
    kind: Type.String({ minLength: 1 }),
    name: Type.Optional(Type.String()),
    config: Type.Record(Type.String(), Type.Unknown()),
  },
  { additionalProperties: false },
);

/** A note on the canvas (Node-RED's comment node). The engine ignores it. */
export const FlowComment = Type.Object(
  {
    id: Id,
    text: Type.String({ maxLength: 10_000 }),
    position: Position,
    width: Type.Optional(Type.Number({ minimum: 40, maximum: 4000 })),
    height: Type.Optional(Type.Number({ minimum: 24, maximum: 4000 })),
  },
  { additionalProperties: false },
);

/** A titled, coloured frame around some nodes that move together (Node-RED's group). The engine ignores it. */
export const FlowGroup = Type.Object(
  {
    id: Id,
    name: Type.Optional(Type.String({ maxLength: 200 })),
    /** CSS hex colour of the frame, e.g. `#3b82f6`. */
    color: Type.Optional(Type.String({ pattern: '^#[0-9a-fA-F]{6}$' })),
    /** The ids of its nodes (each node is in at most one group). */
    nodes: Type.Array(Id, { minItems: 1, uniqueItems: true }),
  },
  { additionalProperties: false },
);

export const FlowSettings = Type.Object(
  {
    /** Node id that receives every failed message no error port took. */
    errorRoute: Type.Optional(Id),
    /**
     * What happens to a failed message that no error port and no error route takes. Either way it is logged at warn
     * and counted as failed, and a deterministic failure (bad payload, expression error, refused row) never loops.
     * (Before: "nack", which redelivered even a message that can never succeed; it loads as "drop".)
     */
    onError: Type.Optional(
      Type.Union([Type.Literal('drop'), Type.Literal('ack')], {
        default: 'drop',
        description:
          'drop: a message that fails by itself (bad payload, expression error, refused row) is dropped; one that fails because a service is down is nacked and redelivered (at-least-once). ack: both are dropped (at-most-once).',
      }),
    ),
    /**
     * Where a transient failure goes (a service down or slow, after the node's own retries). `redeliver`: the source
     * nacks it and redelivers it, even when an error port or the error route is wired (they take failures that
     * redelivery cannot fix). `route`: the error port or route takes it like any failure (a fallback sink).
     * Under onError "ack" there is no redelivery, so the error port or route takes it either way.
     */
    transientFailures: Type.Optional(
      Type.Union([Type.Literal('redeliver'), Type.Literal('route')], {
        default: 'redeliver',
        description:
          'redeliver: a message that fails because a service is down is nacked and redelivered, even when an error port or error route is wired (at-least-once). route: the error port or error route takes it too.',
      }),
    ),
    /** Ingested messages per source not yet settled; sources wait beyond it. */
    maxInFlight: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000, default: 1000 })),
    /** How long stop/redeploy waits for in-flight messages before nacking them. */
    drainTimeoutMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 600_000, default: 10_000 })),
    /**
     * After the drain, how long each node's stop and each connection's close may take; past it the engine logs the
     * node or connection and goes on without it (a client hung on a dead broker must not hold up a stop or a redeploy).
     */
    stopTimeoutMs: Type.Optional(Type.Integer({ minimum: 100, maximum: 600_000, default: 15_000 })),
  },
  { additionalProperties: false },
);

export const FlowDocumentSchema = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    format: Type.String(),
    id: Type.Optional(Id),
    name: Type.Optional(Type.String()),
    description: Type.Optional(Type.String()),
    settings: Type.Optional(FlowSettings),
    connections: Type.Optional(Type.Array(FlowConnection)),
    nodes: Type.Array(FlowNode),
    edges: Type.Optional(Type.Array(FlowEdge)),
    subflows: Type.Optional(Type.Array(FlowSubflow)),
    comments: Type.Optional(Type.Array(FlowComment)),
    groups: Type.Optional(Type.Array(FlowGroup)),
  },
  { additionalProperties: false },
);

export type FlowComment = Static<typeof FlowComment>;
export type FlowGroup = Static<typeof FlowGroup>;
export type FlowSubflow = Static<typeof FlowSubflow>;
export type SubflowParameter = Static<typeof SubflowParameter>;
export type FlowNode = Static<typeof FlowNode>;
export type FlowEdge = Static<typeof FlowEdge>;
export type FlowConnection = Static<typeof FlowConnection>;
export type FlowSettings = Static<typeof FlowSettings>;
export type FlowDocument = Static<typeof FlowDocumentSchema>;

export const DEFAULT_SETTINGS: Required<Omit<FlowSettings, 'errorRoute'>> = {
  onError: 'drop',
  transientFailures: 'redeliver',
  maxInFlight: 1000,
  drainTimeoutMs: 10_000,
  stopTimeoutMs: 15_000,
};

export function edgeId(e: FlowEdge): string {
  return e.id ?? `${e.source}.${e.sourcePort}->${e.target}.${e.targetPort}`;
}
