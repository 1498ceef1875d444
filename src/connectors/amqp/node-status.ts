/** A node's status from its connection and its channel: the connection's when it is down, else the channel's. */
import type { Channel } from 'amqplib';
import type { NodeStatus } from '../../spec/runtime-contract.js';
import type { AmqpClient } from './client.js';
import type { LinkStatus } from './link-status.js';
import type { ManagedChannel } from './managed-channel.js';

/** Reports every change until the returned function is called (call it before the node stops). */
export function reportStatus<C extends Channel>(
  client: AmqpClient,
  channel: ManagedChannel<C>,
  report: (status: NodeStatus) => void,
): () => void {
  let last: LinkStatus | undefined;
  const update = () => {
    const s = client.status.state === 'connected' ? channel.status : client.status;
    if (last && last.state === s.state && last.reason === s.reason) return;
    last = s;
    report(s.reason === undefined ? { state: s.state } : { state: s.state, reason: s.reason });
  };
  client.on('status', update);
  channel.on('status', update);
  update();
  return () => {
    client.off('status', update);
    channel.off('status', update);
  };
}
