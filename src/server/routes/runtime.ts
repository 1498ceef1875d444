/**
 * Deploy and stop one flow by id, stop all, the runtime's flows with status and counters, debug snapshots; the
 * editor's controls of a running flow: inject, press a node's button, switch a node on or off, watch wires.
 */
import type { FastifyInstance } from 'fastify';
import { createMessage } from '../../spec/message.js';
import type { Outcome } from '../../spec/runtime-contract.js';
import type { ServerContext } from '../context.js';
import { ApiError } from '../errors.js';
import type { ActiveReply, FlowRuntimeView, InjectReply, RuntimeView, StopReply, TapsReply } from '../protocol.js';
import { ActiveBody, FlowIdParams, FlowNodeParams, InjectBody, TapsBody } from '../schemas.js';

/** Samples per second per watched wire: enough to read, too few to slow a busy flow. */
const TAP_SAMPLES_PER_SECOND = 20;

export function runtimeRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.post<{ Params: FlowIdParams }>('/api/flows/:id/deploy', { schema: { params: FlowIdParams } }, async (request) => {
    const stored = ctx.store.get(request.params.id);
    if (!stored) throw new ApiError(404, 'not-found', `no flow "${request.params.id}"`);
    await ctx.runtime.deploy(stored);
    return { deployed: true, flowId: stored.id, revision: stored.revision };
  });

  app.post<{ Params: FlowIdParams }>(
    '/api/flows/:id/stop',
    { schema: { params: FlowIdParams } },
    async (request): Promise<StopReply> => {
      const flowId = request.params.id;
      return { stopped: true, flowId, ...(await ctx.runtime.stop(flowId)) };
    },
  );

  app.post('/api/runtime/stop', async () => ({ stopped: true, flows: await ctx.runtime.stopAll() }));

  app.get('/api/runtime', async (): Promise<RuntimeView> => ctx.runtime.view());

  app.get<{ Params: FlowIdParams }>(
    '/api/runtime/flows/:id',
    { schema: { params: FlowIdParams } },
    async (request): Promise<FlowRuntimeView> => {
      const view = ctx.runtime.flowView(request.params.id);
      if (!view)
        throw new ApiError(404, 'not-running', `flow "${request.params.id}" has not run since the server started`);
      return view;
    },
  );

  app.post<{ Params: FlowNodeParams; Body: InjectBody }>(
    '/api/runtime/flows/:id/inject/:nodeId',
    { schema: { params: FlowNodeParams, body: InjectBody } },
    async (request): Promise<InjectReply> => {
      const { id, nodeId } = request.params;
      const flow = ctx.runtime.manager.get(id);
      if (flow?.state !== 'running') {
        throw new ApiError(409, 'not-running', `flow "${id}" is not running; deploy it, then inject`);
      }
      if (!(nodeId in flow.engine.statuses())) {
        throw new ApiError(404, 'unknown-node', `node "${nodeId}" is not in the deployed flow "${id}"`);
      }
      const { payload, topic, key, headers } = request.body;
      const msg = createMessage({ payload, topic, key, headers: { ...headers, 'sluice-injected': '1' } });
      let outcome: Outcome;
      try {
        outcome = await flow.engine.inject(nodeId, msg);
      } catch (err) {
        throw new ApiError(400, 'cannot-inject', err instanceof Error ? err.message : String(err));
      }
      return reply({ flowId: id, nodeId, messageId: msg.id }, outcome);
    },
  );

  // The button of a node that has one (the inject node): it sends what it is configured to send.
  app.post<{ Params: FlowNodeParams }>(
    '/api/runtime/flows/:id/trigger/:nodeId',
    { schema: { params: FlowNodeParams } },
    async (request): Promise<Omit<InjectReply, 'messageId'>> => {
      const { id, nodeId } = request.params;
      const flow = runningNode(ctx, id, nodeId, 'press its button');
      let outcome: Outcome;
      try {
        outcome = await flow.engine.trigger(nodeId);
      } catch (err) {
        throw new ApiError(400, 'cannot-trigger', err instanceof Error ? err.message : String(err));
      }
      return reply({ flowId: id, nodeId }, outcome);
    },
  );

  app.put<{ Params: FlowNodeParams; Body: ActiveBody }>(
    '/api/runtime/flows/:id/nodes/:nodeId/active',
    { schema: { params: FlowNodeParams, body: ActiveBody } },
    async (request): Promise<ActiveReply> => {
      const { id, nodeId } = request.params;
      const flow = runningNode(ctx, id, nodeId, 'switch its nodes');
      try {
        flow.engine.setActive(nodeId, request.body.active);
      } catch (err) {
        throw new ApiError(400, 'cannot-switch', err instanceof Error ? err.message : String(err));
      }
      return { flowId: id, nodeId, active: request.body.active };
    },
  );

  app.put<{ Params: FlowIdParams; Body: TapsBody }>(
    '/api/runtime/flows/:id/taps',
    { schema: { params: FlowIdParams, body: TapsBody } },
    async (request): Promise<TapsReply> => {
      const { id } = request.params;
      const flow = ctx.runtime.manager.get(id);
      if (flow?.state !== 'running') {
        throw new ApiError(409, 'not-running', `flow "${id}" is not running; deploy it, then watch its wires`);
      }
      try {
        return { flowId: id, taps: flow.engine.setTaps(request.body.taps, TAP_SAMPLES_PER_SECOND) };
      } catch (err) {
        throw new ApiError(400, 'cannot-tap', err instanceof Error ? err.message : String(err));
      }
    },
  );

  app.get<{ Params: FlowIdParams }>(
    '/api/runtime/flows/:id/taps',
    { schema: { params: FlowIdParams } },
    async (request): Promise<TapsReply> => {
      const flow = ctx.runtime.manager.get(request.params.id);
      return { flowId: request.params.id, taps: flow?.state === 'running' ? flow.engine.tapped() : [] };
    },
  );

  app.get<{ Params: FlowNodeParams }>(
    '/api/runtime/flows/:id/debug/:nodeId',
    { schema: { params: FlowNodeParams } },
    async (request) => {
      const { id, nodeId } = request.params;
      const flow = ctx.runtime.manager.get(id);
      if (!flow) throw new ApiError(404, 'not-running', `flow "${id}" has not run since the server started`);
      if (!(nodeId in flow.engine.statuses())) {
        throw new ApiError(404, 'unknown-node', `node "${nodeId}" is not in the deployed flow "${id}"`);
      }
      const snapshot = flow.engine.snapshot(nodeId);
      if (snapshot === undefined) throw new ApiError(404, 'no-snapshot', `node "${nodeId}" keeps no snapshot`);
      return snapshot;
    },
  );
}

/** The running flow `id` holding node `nodeId`; an API error saying what to do otherwise. */
function runningNode(ctx: ServerContext, id: string, nodeId: string, then: string) {
  const flow = ctx.runtime.manager.get(id);
  if (flow?.state !== 'running')
    throw new ApiError(409, 'not-running', `flow "${id}" is not running; deploy it, then ${then}`);
  if (!(nodeId in flow.engine.statuses())) {
    throw new ApiError(404, 'unknown-node', `node "${nodeId}" is not in the deployed flow "${id}"`);
  }
  return flow;
}

/** How a message pushed by hand ended, as the editor shows it: a drop nobody took counts as a failure. */
function reply<T extends object>(base: T, outcome: Outcome): T & Pick<InjectReply, 'outcome' | 'reason'> {
  if (!outcome.ok) return { ...base, outcome: 'failed', reason: outcome.reason };
  return outcome.dropped === undefined
    ? { ...base, outcome: 'delivered' }
    : { ...base, outcome: 'failed', reason: outcome.dropped };
}
