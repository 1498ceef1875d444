/** A node's status from its connection and its channel: the connection's when it is down, else the channel's. */
import type { Channel } from 'amqplib';
import { StatusReporter } from '../../kit/status.js';
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
  const reporter = new StatusReporter(report);
  const update = () => {
    const s: LinkStatus = client.status.state === 'connected' ? channel.status : client.status;
    reporter.set(s.state, s.reason);
  };
  client.on('status', update);
  channel.on('status', update);
  update();
  return () => {
    client.off('status', update);
    channel.off('status', update);
  };
}
