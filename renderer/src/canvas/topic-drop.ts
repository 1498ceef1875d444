/**
 * Dragging a topic from the topic browser onto the canvas makes an `mqtt-in` for it: the drag carries the
 * connection, the topic filter (a topic, or a branch as `branch/#`) and the codec its last value suggests.
 */
import type { FlowStore } from '../state/flow-store.js';

export const TOPIC_MIME = 'application/x-sluice-mqtt-topic';

export interface TopicDrag {
  connection: string;
  filter: string;
  codec: 'json' | 'text' | 'bytes' | 'sparkplug';
}

/** Adds the mqtt-in at `position`; false when the drag data is not a topic drag. */
export function dropTopic(store: FlowStore, data: string, position: { x: number; y: number }): boolean {
  let drag: TopicDrag;
  try {
    drag = JSON.parse(data) as TopicDrag;
  } catch {
    return false;
  }
  if (typeof drag.connection !== 'string' || typeof drag.filter !== 'string') return false;
  const s = store.getState();
  const id = s.addNode('mqtt-in', position);
  const node = store.getState().nodes.find((n) => n.id === id);
  const config = {
    ...(node?.data.config ?? {}),
    connection: drag.connection,
    topics: [drag.filter],
    codec: drag.codec,
  };
  store.getState().updateNode(id, { name: drag.filter, config });
  return true;
}
