/**
 * nats-in's core NATS path: a plain subscription (optionally in a queue group), at most once. Core NATS has no
 * acknowledgements: a message that arrives while the flow is full waits in the client, and one sent while the node
 * is down, or lost in a crash, is gone.
 */
import type { Subscription } from '@nats-io/transport-node';
import type { Message } from '../../spec/message.js';
import type { Logger } from '../../spec/runtime-contract.js';
import type { NatsClient } from './client.js';
import { type Codec, inboundMessage } from './messages.js';
import { errorText } from './status.js';

export interface CoreReaderOptions {
  client: NatsClient;
  subject: string;
  queue: string;
  codec: Codec;
  ingest(msg: Message): undefined | Promise<void>;
  ingestFailed(msg: Message, reason: string): undefined | Promise<void>;
  log: Logger;
}

export class CoreReader {
  private sub: Subscription | undefined;
  private taking = true;
  private readonly stopping = new AbortController();
  private loop: Promise<void> | undefined;

  constructor(private readonly o: CoreReaderOptions) {}

  start(): void {
    this.loop = this.run().catch((err: unknown) => {
      this.o.log.error({ err: errorText(err), subject: this.o.subject }, 'the NATS subscription failed');
    });
  }

  stopIntake(): void {
    this.taking = false;
    this.stopping.abort();
    this.sub?.unsubscribe();
  }

  async stop(): Promise<void> {
    this.stopIntake();
    await this.loop;
  }

  private async run(): Promise<void> {
    const nc = await this.o.client.connection(this.stopping.signal);
    if (!nc || !this.taking) return;
    // The client re-subscribes after a reconnect on its own.
    const sub = nc.subscribe(this.o.subject, this.o.queue ? { queue: this.o.queue } : {});
    this.sub = sub;
    for await (const m of sub) {
      if (!this.taking) break;
      const { message, failure } = inboundMessage(m, this.o.codec, {});
      const wait = failure === undefined ? this.o.ingest(message) : this.o.ingestFailed(message, failure);
      if (wait) await wait;
    }
  }
}
