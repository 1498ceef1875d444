/** Import a flow from text or an object: validate, store under its id (or a free one), report problems. */
import { parseJsonBody } from './body.js';
import type { ServerContext } from './context.js';
import { ApiError } from './errors.js';
import { slugId, storeIdProblem } from './flow-id.js';
import { prepareSave } from './prepare.js';
import type { SavedFlow } from './protocol.js';
import { flowShapeProblem } from './schemas.js';
import type { FlowObject } from './store.js';

function isObject(v: unknown): v is FlowObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `body`: raw JSON text, a flow document, or `{ flow }`. An id already in use becomes `id-2`, never an overwrite. */
export async function importFlow(ctx: Pick<ServerContext, 'store' | 'validator'>, body: unknown): Promise<SavedFlow> {
  const value = typeof body === 'string' ? parseJsonBody(body) : body;
  const flow = isObject(value) && Object.keys(value).length === 1 && isObject(value.flow) ? value.flow : value;
  const checked = ctx.validator.validate(flow);
  if (!isObject(flow) || !checked.flow) {
    throw new ApiError(
      400,
      'not-a-flow',
      checked.problems[0]?.message ?? 'this is not a Sluice flow',
      checked.problems,
    );
  }
  const shape = flowShapeProblem(flow);
  if (shape) throw new ApiError(400, 'not-a-flow', `the flow cannot be stored: ${shape}`, checked.problems);
  const id = typeof flow.id === 'string' && !storeIdProblem(flow.id) ? flow.id : slugId(flow.name);
  let problems: SavedFlow['problems'] = [];
  const saved = await ctx.store.create(
    id,
    (finalId) => {
      const prepared = prepareSave(flow, finalId, ctx.validator);
      problems = prepared.problems;
      return prepared;
    },
    'rename',
  );
  return { id: saved.id, revision: saved.revision, problems };
}
