/** `sluice check` for an `amqp` connection: connect once (no recovery), then close. */
import { connect } from 'amqplib';
import { type AmqpConnectionConfig, connectPlan } from './connect-options.js';
import { errorText } from './link-status.js';

export async function checkConnection(config: AmqpConnectionConfig, connectionId: string): Promise<void> {
  const plan = connectPlan(config, connectionId);
  let model: Awaited<ReturnType<typeof connect>>;
  try {
    model = await connect(plan.endpoint, plan.socket);
  } catch (err) {
    throw new Error(`cannot connect to ${plan.describe}: ${errorText(err)}`);
  }
  // Some vhost permission problems show only when a channel opens.
  try {
    const ch = await model.createChannel();
    await ch.close();
  } catch (err) {
    throw new Error(`connected to ${plan.describe} but cannot open a channel: ${errorText(err)}`);
  } finally {
    await model.close().catch(() => undefined);
  }
}
