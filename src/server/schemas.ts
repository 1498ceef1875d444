/**
 * JSON Schemas for every route's params and body. Fastify validates with them before a handler runs; unknown
 * fields are errors (not silently removed) and nothing is coerced, so a bad request says exactly what is wrong.
 * The flow itself is only checked for the shape the store needs: its contents are the validator's job,
 * because drafts with problems may be saved.
 */
import { type Static, Type } from 'typebox';
import { createAjv } from '../flow/ajv.js';
import { STORE_ID_PATTERN } from './flow-id.js';
import type { FlowObject } from './store.js';

const NODE_ID_PATTERN = '^[A-Za-z0-9_.:-]+$';

export const FlowIdParams = Type.Object(
  { id: Type.String({ pattern: STORE_ID_PATTERN, maxLength: 128 }) },
  { additionalProperties: false },
);
export type FlowIdParams = Static<typeof FlowIdParams>;

export const FlowNodeParams = Type.Object(
  {
    id: Type.String({ pattern: STORE_ID_PATTERN, maxLength: 128 }),
    nodeId: Type.String({ pattern: NODE_ID_PATTERN, maxLength: 128 }),
  },
  { additionalProperties: false },
);
export type FlowNodeParams = Static<typeof FlowNodeParams>;

const objectList = { type: 'array', maxItems: 100_000, items: { type: 'object' } } as const;

/** A flow as far as storing and running it needs: an object with lists of objects where lists belong. */
export const FlowShape = Type.Unsafe<FlowObject>({
  type: 'object',
  required: ['nodes'],
  properties: { nodes: objectList, edges: objectList, connections: objectList, settings: { type: 'object' } },
});

const checkShape = createAjv().compile(FlowShape);

/** For bodies that are not checked by a route schema (import): the same shape rule, as one sentence. */
export function flowShapeProblem(flow: unknown): string | undefined {
  if (checkShape(flow)) return undefined;
  const e = checkShape.errors?.[0];
  return e ? `${e.instancePath || 'the flow'} ${e.message ?? 'is not valid'}` : 'the flow is not valid';
}

export const CreateBody = Type.Object({ flow: FlowShape }, { additionalProperties: false });
export type CreateBody = Static<typeof CreateBody>;

export const PutBody = Type.Object(
  { flow: FlowShape, revision: Type.Integer({ minimum: 1 }) },
  { additionalProperties: false },
);
export type PutBody = Static<typeof PutBody>;

/** Anything: the validator explains what is wrong with it. */
export const ValidateBody = Type.Object({ flow: Type.Unknown() }, { additionalProperties: false });
export type ValidateBody = Static<typeof ValidateBody>;

/** Raw flow JSON text (text/plain), a flow document, or `{ flow }`. */
export const ImportBody = Type.Unsafe<unknown>({ anyOf: [{ type: 'string' }, { type: 'object' }] });

export const TryBody = Type.Object(
  {
    flow: FlowShape,
    nodeId: Type.String({ pattern: NODE_ID_PATTERN, maxLength: 128 }),
    message: Type.Object(
      {
        payload: Type.Unknown(),
        topic: Type.Optional(Type.String()),
        key: Type.Optional(Type.String()),
        headers: Type.Optional(Type.Record(Type.String(), Type.String())),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type TryBody = Static<typeof TryBody>;

export const WsQuery = Type.Object({ token: Type.Optional(Type.String()) });

/** A message pushed by hand into a running flow at a source node (the editor's inject button). */
export const InjectBody = Type.Object(
  {
    payload: Type.Unknown(),
    topic: Type.Optional(Type.String({ maxLength: 65_535 })),
    key: Type.Optional(Type.String({ maxLength: 65_535 })),
    headers: Type.Optional(Type.Record(Type.String(), Type.String())),
  },
  { additionalProperties: false },
);
export type InjectBody = Static<typeof InjectBody>;

/** The outputs of a running flow to watch (replaces the set; empty stops watching). */
export const TapsBody = Type.Object(
  {
    taps: Type.Array(
      Type.Object(
        {
          nodeId: Type.String({ pattern: NODE_ID_PATTERN, maxLength: 128 }),
          port: Type.String({ minLength: 1, maxLength: 128 }),
        },
        { additionalProperties: false },
      ),
      { maxItems: 64 },
    ),
  },
  { additionalProperties: false },
);
export type TapsBody = Static<typeof TapsBody>;

/** Switch a node (the debug node) on or off in a running flow, without a redeploy. */
export const ActiveBody = Type.Object({ active: Type.Boolean() }, { additionalProperties: false });
export type ActiveBody = Static<typeof ActiveBody>;
