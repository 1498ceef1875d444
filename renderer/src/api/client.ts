/** The admin API over fetch: JSON in and out, errors as ApiError with the server's code, message and problems. */
import type { FlowDocument, Problem } from '../../../src/flow/index.js';
import { authToken } from './auth.js';
import type { DebugEntry, FlowSummary, Revision, RuntimeInfo, TryResult } from './types.js';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly problems: Problem[] = [],
  ) {
    super(message);
  }
}

/**
 * The server refuses state-changing requests without `X-Sluice-Client` (a cross-site form cannot send it), and
 * wants a JSON or flow-text content type wherever a body goes.
 */
function headers(body: 'json' | 'text' | 'none'): Record<string, string> {
  const h: Record<string, string> = { 'X-Sluice-Client': 'editor' };
  if (body === 'json') h['Content-Type'] = 'application/json';
  if (body === 'text') h['Content-Type'] = 'text/plain; charset=utf-8';
  const t = authToken();
  if (t) h.Authorization = `Bearer ${t}`;
  return h;
}

export async function request<T>(method: string, path: string, body?: unknown, raw?: string): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path.replace(/^\//, './'), {
      method,
      headers: headers(raw !== undefined ? 'text' : body !== undefined ? 'json' : 'none'),
      body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
    });
  } catch (err) {
    throw new ApiError(
      0,
      'network',
      `cannot reach the Sluice server (${err instanceof Error ? err.message : String(err)})`,
    );
  }
  const text = await res.text();
  let data: unknown;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    data = undefined;
  }
  if (!res.ok) {
    const e = (data as { error?: { code?: string; message?: string; problems?: Problem[] } } | undefined)?.error;
    throw new ApiError(
      res.status,
      e?.code ?? `http-${res.status}`,
      e?.message ?? (text || res.statusText),
      e?.problems ?? [],
    );
  }
  return data as T;
}

const enc = encodeURIComponent;

export const api = {
  listFlows: () => request<FlowSummary[]>('GET', '/api/flows'),
  createFlow: (flow: FlowDocument) => request<{ id: string; revision: Revision }>('POST', '/api/flows', { flow }),
  getFlow: (id: string) => request<{ flow: FlowDocument; revision: Revision }>('GET', `/api/flows/${enc(id)}`),
  saveFlow: (id: string, flow: FlowDocument, revision: Revision) =>
    request<{ revision: Revision }>('PUT', `/api/flows/${enc(id)}`, { flow, revision }),
  deleteFlow: (id: string) => request<unknown>('DELETE', `/api/flows/${enc(id)}`),
  validate: (flow: FlowDocument) => request<{ problems: Problem[] }>('POST', '/api/validate', { flow }),
  deploy: (id: string) => request<{ deployed: boolean; revision?: number }>('POST', `/api/flows/${enc(id)}/deploy`, {}),
  stop: (id: string) => request<unknown>('POST', `/api/flows/${enc(id)}/stop`, {}),
  runtime: () => request<RuntimeInfo>('GET', '/api/runtime'),
  debug: (flowId: string, nodeId: string) =>
    request<{ count: number; messages: DebugEntry[] }>('GET', `/api/runtime/flows/${enc(flowId)}/debug/${enc(nodeId)}`),
  tryNode: (flow: FlowDocument, nodeId: string, message: { payload: unknown; topic?: string }) =>
    request<TryResult>('POST', '/api/try', { flow, nodeId, message }),
  importText: (text: string) =>
    request<{ id: string; revision: Revision; problems?: Problem[] }>('POST', '/api/import', undefined, text),
};
