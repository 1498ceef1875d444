/**
 * The remote runners, through the editor's own server (which holds their tokens and calls them): the browser never
 * talks to another origin, and never sees a runner's token after adding it.
 */
import { request } from '../api/client.js';
import type { RuntimeInfo } from '../api/types.js';

export interface RunnerInfo {
  id: string;
  name: string;
  url: string;
  version?: string;
}

const enc = encodeURIComponent;

export const runnersApi = {
  list: () => request<{ runners: RunnerInfo[] }>('GET', '/api/runners'),
  add: (name: string, url: string, token: string) => request<RunnerInfo>('POST', '/api/runners', { name, url, token }),
  remove: (id: string) => request<unknown>('DELETE', `/api/runners/${enc(id)}`),
  runtime: (id: string) => request<RuntimeInfo>('GET', `/api/runners/${enc(id)}/runtime`),
  deploy: (id: string, flowId: string) =>
    request<{ revision: number }>('POST', `/api/runners/${enc(id)}/flows/${enc(flowId)}/deploy`, {}),
  stop: (id: string, flowId: string) =>
    request<unknown>('POST', `/api/runners/${enc(id)}/flows/${enc(flowId)}/stop`, {}),
};
