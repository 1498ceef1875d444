/** Declarations a node runs on each new channel: its exchange, its queue and the bindings between them. */
import type { Channel } from 'amqplib';

export type ExchangeType = 'topic' | 'direct' | 'fanout' | 'headers';

export interface ExchangeSpec {
  name: string;
  /** declare: create it if missing (the broker refuses a different type or durability); existing: check only. */
  mode: 'declare' | 'existing';
  type: ExchangeType;
  durable: boolean;
}

export async function setUpExchange(ch: Channel, x: ExchangeSpec): Promise<void> {
  // The default exchange ('') always exists and cannot be declared.
  if (!x.name) return;
  if (x.mode === 'existing') await ch.checkExchange(x.name);
  else await ch.assertExchange(x.name, x.type, { durable: x.durable });
}

export interface QueueSpec {
  name: string;
  mode: 'declare' | 'existing';
  durable: boolean;
  queueType: 'classic' | 'quorum';
  deadLetterExchange?: string;
  deadLetterRoutingKey?: string;
  arguments?: Record<string, string | number | boolean>;
}

export function queueArguments(q: QueueSpec): Record<string, string | number | boolean> {
  const args: Record<string, string | number | boolean> = { ...q.arguments };
  // Only when asked: an explicit x-queue-type on a queue declared without one is refused as inequivalent.
  if (q.queueType === 'quorum') args['x-queue-type'] = 'quorum';
  if (q.deadLetterExchange !== undefined) args['x-dead-letter-exchange'] = q.deadLetterExchange;
  if (q.deadLetterRoutingKey !== undefined) args['x-dead-letter-routing-key'] = q.deadLetterRoutingKey;
  return args;
}

export async function setUpQueue(ch: Channel, q: QueueSpec): Promise<void> {
  if (q.mode === 'existing') await ch.checkQueue(q.name);
  else await ch.assertQueue(q.name, { durable: q.durable, arguments: queueArguments(q) });
}

export async function bindQueue(ch: Channel, queue: string, exchange: string, keys: readonly string[]): Promise<void> {
  for (const key of keys) await ch.bindQueue(queue, exchange, key);
}
