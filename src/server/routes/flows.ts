/** Flows CRUD, validate, export and import. */
import type { FastifyInstance } from 'fastify';
import type { FlowDocument } from '../../flow/document.js';
import { serializeFlow, stripSecrets } from '../../flow/serialize.js';
import type { ServerContext } from '../context.js';
import { ApiError } from '../errors.js';
import { slugId } from '../flow-id.js';
import { importFlow } from '../import.js';
import { type PreparedSave, prepareSave } from '../prepare.js';
import type { FlowSummary, SavedFlow } from '../protocol.js';
import { CreateBody, FlowIdParams, ImportBody, PutBody, ValidateBody } from '../schemas.js';
import type { FlowObject } from '../store.js';

/** The id a new flow asks for: its own id, else one made from its name. */
function requestedId(flow: FlowObject): string {
  return typeof flow.id === 'string' ? flow.id : slugId(flow.name);
}

export function flowRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { store, validator } = ctx;
  /** Problems of the last prepared save, read back after the store wrote it. */
  const saver = () => {
    let last: PreparedSave | undefined;
    return {
      prepare: (input: FlowObject) => (id: string) => {
        last = prepareSave(input, id, validator);
        return last;
      },
      problems: () => last?.problems ?? [],
    };
  };

  app.get(
    '/api/flows',
    async (): Promise<FlowSummary[]> => store.list().map((f) => ({ ...f, deployed: ctx.runtime.isDeployed(f.id) })),
  );

  app.post<{ Body: CreateBody }>(
    '/api/flows',
    { schema: { body: CreateBody } },
    async (request, reply): Promise<SavedFlow> => {
      const s = saver();
      const { flow } = request.body;
      // An id the client chose must be free (409); one made from the name just takes the next free one.
      const conflict = typeof flow.id === 'string' ? 'fail' : 'rename';
      const saved = await store.create(requestedId(flow), s.prepare(flow), conflict);
      reply.code(201);
      return { id: saved.id, revision: saved.revision, problems: s.problems() };
    },
  );

  app.get<{ Params: FlowIdParams }>('/api/flows/:id', { schema: { params: FlowIdParams } }, async (request, reply) => {
    const body = store.body(request.params.id);
    if (body === undefined) throw new ApiError(404, 'not-found', `no flow "${request.params.id}"`);
    return reply.type('application/json; charset=utf-8').send(body);
  });

  app.put<{ Params: FlowIdParams; Body: PutBody }>(
    '/api/flows/:id',
    { schema: { params: FlowIdParams, body: PutBody } },
    async (request): Promise<SavedFlow> => {
      const { id } = request.params;
      const { flow, revision } = request.body;
      if (flow.id !== undefined && flow.id !== id) {
        throw new ApiError(400, 'id-mismatch', `the flow's id "${String(flow.id)}" differs from "${id}" in the URL`, [
          { severity: 'error', code: 'id-mismatch', path: '/flow/id', message: `expected "${id}" or no id` },
        ]);
      }
      const s = saver();
      const saved = await store.update(id, s.prepare(flow), revision);
      return { id, revision: saved.revision, problems: s.problems() };
    },
  );

  app.delete<{ Params: FlowIdParams }>('/api/flows/:id', { schema: { params: FlowIdParams } }, async (request) => {
    const { id } = request.params;
    if (ctx.runtime.isDeployed(id)) {
      throw new ApiError(
        409,
        'flow-deployed',
        `flow "${id}" is running; stop it (POST /api/flows/${id}/stop) before deleting it`,
      );
    }
    await store.remove(id);
    ctx.runtime.forget(id);
    return { deleted: true };
  });

  app.post<{ Body: ValidateBody }>('/api/validate', { schema: { body: ValidateBody } }, async (request) => ({
    problems: validator.validate(request.body.flow).problems,
  }));

  app.get<{ Params: FlowIdParams }>(
    '/api/flows/:id/export',
    { schema: { params: FlowIdParams } },
    async (request, reply) => {
      const stored = store.get(request.params.id);
      if (!stored) throw new ApiError(404, 'not-found', `no flow "${request.params.id}"`);
      // Saved flows hold no literal secrets already; strip again so an export is safe whatever the file holds.
      const { flow } = stripSecrets(stored.flow as unknown as FlowDocument, ctx.catalog);
      reply
        .type('application/json; charset=utf-8')
        .header('Content-Disposition', `attachment; filename="${stored.id}.json"`);
      return serializeFlow(flow);
    },
  );

  app.post(
    '/api/import',
    { schema: { body: ImportBody }, config: { acceptsText: true } },
    async (request, reply): Promise<SavedFlow> => {
      const saved = await importFlow(ctx, request.body);
      reply.code(201);
      return saved;
    },
  );
}
