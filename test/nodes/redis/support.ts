/** Redis test helpers: unique keys, the flow connection, and a plain ioredis client to publish and read back with. */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { FlowConnection } from '../../../src/flow/document.js';
import type { TestPayload } from '../../conformance/harness.js';

export function unique(prefix: string): string {
  return `sluice-test:${prefix}:${randomBytes(4).toString('hex')}`;
}

export function redisConnection(id = 'redis', config: Record<string, unknown> = {}): FlowConnection {
  return {
    id,
    kind: 'redis',
    config: { host: '127.0.0.1', reconnectDelayMs: 50, reconnectMaxDelayMs: 500, ...config },
  };
}

/** A plain client that is not the code under test; deletes the keys it was told about on close. */
export class Admin {
  readonly redis = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: false });
  private readonly keys = new Set<string>();

  track(...keys: string[]): void {
    for (const k of keys) this.keys.add(k);
  }

  /** XADD each payload as JSON in the `body` field (pipelined). */
  async addJson(stream: string, payloads: unknown[], field = 'body'): Promise<string[]> {
    this.track(stream);
    const p = this.redis.pipeline();
    for (const pl of payloads) p.xadd(stream, '*', field, JSON.stringify(pl));
    const res = (await p.exec()) ?? [];
    return res.map(([err, id]) => {
      if (err) throw err;
      return String(id);
    });
  }

  async addRaw(stream: string, ...fields: string[]): Promise<string> {
    this.track(stream);
    return String(await this.redis.xadd(stream, '*', ...fields));
  }

  /** Every entry of a stream as field maps. */
  async entries(stream: string): Promise<Array<{ id: string; fields: Record<string, string> }>> {
    const out: Array<{ id: string; fields: Record<string, string> }> = [];
    let start = '-';
    for (;;) {
      const batch = await this.redis.xrange(stream, start, '+', 'COUNT', 5000);
      for (const [id, flat] of batch) {
        const fields: Record<string, string> = {};
        for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i]] = flat[i + 1];
        out.push({ id, fields });
      }
      if (batch.length < 5000) return out;
      start = `(${batch[batch.length - 1][0]}`;
    }
  }

  /** `payload.id` of every entry's JSON body. */
  async ids(stream: string, field = 'body'): Promise<string[]> {
    return (await this.entries(stream)).map((e) => (JSON.parse(e.fields[field]) as TestPayload).id);
  }

  async pending(stream: string, group: string): Promise<number> {
    const summary = (await this.redis.xpending(stream, group)) as [number, ...unknown[]];
    return Number(summary[0]);
  }

  async close(): Promise<void> {
    if (this.keys.size > 0) await this.redis.del(...this.keys);
    this.redis.disconnect();
  }
}
