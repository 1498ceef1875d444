/** The topic browser's calls (see src/server/API.md, "MQTT topic browser"). */
import { request } from './client.js';

export type { BrowseView, TopicView, ValueFormat } from '../../../src/server/protocol.js';

import type { BrowseView } from '../../../src/server/protocol.js';

const enc = encodeURIComponent;

export const browseApi = {
  open: (flowId: string, connectionId: string, filter: string) =>
    request<{ id: string }>('POST', '/api/mqtt/browse', { flowId, connectionId, filter }),
  view: (id: string) => request<BrowseView>('GET', `/api/mqtt/browse/${enc(id)}`),
  close: (id: string) => request<unknown>('DELETE', `/api/mqtt/browse/${enc(id)}`),
};
