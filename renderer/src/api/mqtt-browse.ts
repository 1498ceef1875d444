/** The topic browser's calls (see src/server/API.md, "MQTT topic browser"). */
import { request } from './client.js';

export type ValueFormat = 'json' | 'text' | 'sparkplug' | 'bytes';

export interface TopicView {
  topic: string;
  count: number;
  ratePerSecond: number;
  lastAt: number;
  size: number;
  retained: boolean;
  format: ValueFormat;
  value: unknown;
  truncated: boolean;
}

export interface BrowseView {
  id: string;
  filter: string;
  connected: boolean;
  error?: string;
  messages: number;
  untrackedTopics: number;
  topics: TopicView[];
}

const enc = encodeURIComponent;

export const browseApi = {
  open: (flowId: string, connectionId: string, filter: string) =>
    request<{ id: string }>('POST', '/api/mqtt/browse', { flowId, connectionId, filter }),
  view: (id: string) => request<BrowseView>('GET', `/api/mqtt/browse/${enc(id)}`),
  close: (id: string) => request<unknown>('DELETE', `/api/mqtt/browse/${enc(id)}`),
};
