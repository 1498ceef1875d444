/** NATS test helpers: unique names, the flow connection, and a plain client to set up streams, publish and read back. */
import { randomBytes } from 'node:crypto';
import { AckPolicy, type JetStreamManager, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { FlowConnection } from '../../../src/flow/document.js';
import type { TestPayload } from '../../conformance/harness.js';

export const NATS_URL = 'nats://127.0.0.1:4222';

/** A token usable in stream names and subjects. */
export function unique(prefix: string): string {
  return `sluice_test_${prefix}_${randomBytes(4).toString('hex')}`;
}

export function natsConnection(id = 'nats', config: Record<string, unknown> = {}): FlowConnection {
  return {
    id,
    kind: 'nats',
    config: { servers: [NATS_URL], reconnectDelayMs: 50, reconnectMaxDelayMs: 500, ...config },
  };
}

export class Admin {
  private readonly streams = new Set<string>();
  private constructor(
    readonly nc: NatsConnection,
    readonly jsm: JetStreamManager,
  ) {}

  static async open(): Promise<Admin> {
    const nc = await connect({ servers: NATS_URL });
    return new Admin(nc, await jetstreamManager(nc));
  }

  /** A stream capturing `<name>.>` (memory storage: tests only). */
  async stream(name: string, subjects = [`${name}.>`]): Promise<string> {
    await this.jsm.streams.add({ name, subjects, storage: 'memory' as never });
    this.streams.add(name);
    return name;
  }

  track(stream: string): void {
    this.streams.add(stream);
  }

  async publishJson(subject: string, payloads: TestPayload[] | unknown[]): Promise<void> {
    const js = jetstream(this.nc);
    // In windows of 200, so the test publisher does not flood its own connection.
    for (let i = 0; i < payloads.length; i += 200) {
      await Promise.all(payloads.slice(i, i + 200).map((p) => js.publish(subject, JSON.stringify(p))));
    }
  }

  async publishRaw(subject: string, data: string): Promise<void> {
    await jetstream(this.nc).publish(subject, data);
  }

  /** Every message the stream holds, in order, as data text and headers. */
  async messages(stream: string): Promise<Array<{ subject: string; data: string; headers: Record<string, string> }>> {
    const info = await this.jsm.streams.info(stream);
    const out: Array<{ subject: string; data: string; headers: Record<string, string> }> = [];
    if (info.state.messages === 0) return out;
    const name = unique('reader');
    await this.jsm.consumers.add(stream, { name, ack_policy: AckPolicy.None });
    const consumer = await jetstream(this.nc).consumers.get(stream, name);
    while (out.length < info.state.messages) {
      const batch = await consumer.fetch({ max_messages: 1000, expires: 1000 });
      let got = 0;
      for await (const m of batch) {
        got++;
        const headers: Record<string, string> = {};
        if (m.headers) for (const [k, v] of m.headers) headers[k] = v.join(',');
        out.push({ subject: m.subject, data: m.string(), headers });
      }
      if (got === 0) break;
    }
    await this.jsm.consumers.delete(stream, name);
    return out;
  }

  async ids(stream: string): Promise<string[]> {
    return (await this.messages(stream)).map((m) => (JSON.parse(m.data) as TestPayload).id);
  }

  async close(): Promise<void> {
    for (const s of this.streams) await this.jsm.streams.delete(s).catch(() => {});
    await this.nc.close();
  }
}
