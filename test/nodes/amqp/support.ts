/**
 * AMQP test helpers: a plain amqplib client (not the code under test) to declare, publish and read back, unique
 * names, a TCP proxy that can cut or refuse connections, and server-side closes through rabbitmqctl.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { type ChannelModel, type ConfirmChannel, connect, type GetMessage } from 'amqplib';
import type { FlowConnection } from '../../../src/flow/document.js';
import { TcpProxy } from '../../support/tcp-proxy.js';

const run = promisify(execFile);

export const BROKER = 'amqp://guest:guest@127.0.0.1:5672';

export function unique(prefix: string): string {
  return `sluice-test.${prefix}.${randomBytes(4).toString('hex')}`;
}

/** A flow connection of kind amqp; guest/guest on localhost needs no password field. */
export function amqpConnection(id = 'rabbit', config: Record<string, unknown> = {}): FlowConnection {
  return { id, kind: 'amqp', config: { host: '127.0.0.1', reconnectDelayMs: 50, reconnectMaxDelayMs: 500, ...config } };
}

export class Admin {
  private constructor(
    readonly model: ChannelModel,
    readonly ch: ConfirmChannel,
  ) {}

  static async open(): Promise<Admin> {
    const model = await connect(BROKER, { clientProperties: { connection_name: 'sluice-test admin' } });
    const ch = await model.createConfirmChannel();
    return new Admin(model, ch);
  }

  /** Persistent, confirmed publishes straight to a queue (default exchange). */
  async sendToQueue(
    queue: string,
    bodies: Array<string | Buffer>,
    options: { messageIds?: string[] } = {},
  ): Promise<void> {
    bodies.forEach((b, i) => {
      this.ch.sendToQueue(queue, Buffer.isBuffer(b) ? b : Buffer.from(b), {
        persistent: true,
        messageId: options.messageIds?.[i],
      });
    });
    await this.ch.waitForConfirms();
  }

  /** Every message now in the queue, left in it: read unacked on a separate channel, then handed back. */
  async peekAll(queue: string): Promise<GetMessage[]> {
    const ch = await this.model.createChannel();
    const out: GetMessage[] = [];
    try {
      for (;;) {
        const m = await ch.get(queue, { noAck: false });
        if (!m) break;
        out.push(m);
      }
    } finally {
      await ch.close();
    }
    return out;
  }

  async messageCount(queue: string): Promise<number> {
    const ch = await this.model.createChannel();
    try {
      return (await ch.checkQueue(queue)).messageCount;
    } finally {
      await ch.close().catch(() => undefined);
    }
  }

  async close(queues: string[] = [], exchanges: string[] = []): Promise<void> {
    for (const q of queues) await this.ch.deleteQueue(q).catch(() => undefined);
    for (const x of exchanges) await this.ch.deleteExchange(x).catch(() => undefined);
    await this.model.close().catch(() => undefined);
  }
}

export function ids(messages: GetMessage[]): string[] {
  return messages.map((m) => (JSON.parse(m.content.toString()) as { id: string }).id);
}

/** A TCP proxy in front of RabbitMQ: `drop()` cuts every connection, `refuse()` closes the port until `accept()`. */
export class BrokerProxy extends TcpProxy {
  static async start(): Promise<BrokerProxy> {
    const proxy = new BrokerProxy(5672);
    await proxy.up();
    return proxy;
  }

  accept(): Promise<void> {
    return this.up();
  }

  /** Close the port (connects are refused) and cut what is open. */
  refuse(): Promise<void> {
    return this.down();
  }

  close(): Promise<void> {
    return this.down();
  }
}

/** rabbitmqctl works here (it needs the broker's Erlang cookie, i.e. root or the rabbitmq user). */
export async function rabbitmqctlAvailable(): Promise<boolean> {
  try {
    await run('rabbitmqctl', ['-q', 'status'], { timeout: 20_000 });
    return true;
  } catch {
    return false;
  }
}

/** The broker's pids of the connections whose client-provided name is `name`. */
export async function connectionPidsNamed(name: string): Promise<string[]> {
  const { stdout } = await run(
    'rabbitmqctl',
    ['-q', 'list_connections', '--no-table-headers', 'pid', 'client_properties'],
    { timeout: 20_000 },
  );
  return stdout
    .split('\n')
    .filter((line) => line.includes(`{"connection_name","${name}"}`))
    .map((line) => line.split('\t')[0] as string);
}

/** Close these connections from the broker's side. */
export async function closeConnections(pids: string[]): Promise<void> {
  for (const pid of pids)
    await run('rabbitmqctl', ['-q', 'close_connection', pid, 'sluice test: server-side close'], { timeout: 20_000 });
}
