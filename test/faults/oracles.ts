/**
 * Oracles: read what reached each sink, straight from the service (not through Sluice), as a count per message id.
 */
import { connect as amqpConnect, type Channel, type ChannelModel } from 'amqplib';
import pg from 'pg';

export interface Tally {
  /** Deliveries per message id. */
  readonly seen: Map<string, number>;
  /** Every delivery, duplicates included. */
  total(): number;
}

export function lostAndDuplicates(acked: Set<string>, seen: Map<string, number>): { lost: number; duplicates: number } {
  let lost = 0;
  for (const id of acked) if (!seen.has(id)) lost++;
  let duplicates = 0;
  for (const [id, n] of seen) if (acked.has(id) && n > 1) duplicates += n - 1;
  return { lost, duplicates };
}

/** A PostgreSQL table of plain inserts (no upsert key, so a redelivery shows as a second row). */
export class PgOracle {
  private readonly client = new pg.Client({ host: '127.0.0.1', port: 5432, database: 'test', user: 'postgres' });

  constructor(readonly table: string) {}

  async open(): Promise<void> {
    await this.client.connect();
    await this.client.query(`DROP TABLE IF EXISTS "${this.table}"`);
    await this.client.query(`CREATE TABLE "${this.table}" (msg_id text NOT NULL, seq integer)`);
  }

  async rows(): Promise<number> {
    const r = await this.client.query<{ n: string }>(`SELECT count(*) AS n FROM "${this.table}"`);
    return Number(r.rows[0].n);
  }

  async tally(): Promise<Map<string, number>> {
    const r = await this.client.query<{ msg_id: string; n: string }>(
      `SELECT msg_id, count(*) AS n FROM "${this.table}" GROUP BY msg_id`,
    );
    return new Map(r.rows.map((row) => [row.msg_id, Number(row.n)]));
  }

  async close(): Promise<void> {
    await this.client.query(`DROP TABLE IF EXISTS "${this.table}"`).catch(() => undefined);
    await this.client.end();
  }
}

/** A RabbitMQ queue the flow publishes to (default exchange, routing key = queue); every message is consumed. */
export class AmqpOracle {
  readonly seen = new Map<string, number>();
  private model: ChannelModel | undefined;
  private channel: Channel | undefined;

  constructor(readonly queue: string) {}

  async open(): Promise<void> {
    this.model = await amqpConnect('amqp://guest:guest@127.0.0.1:5672');
    this.channel = await this.model.createChannel();
    await this.channel.assertQueue(this.queue, { durable: true });
    await this.channel.consume(
      this.queue,
      (m) => {
        if (!m) return;
        const id = String((JSON.parse(m.content.toString()) as { id?: unknown }).id);
        this.seen.set(id, (this.seen.get(id) ?? 0) + 1);
      },
      { noAck: true },
    );
  }

  rows(): number {
    let n = 0;
    for (const v of this.seen.values()) n += v;
    return n;
  }

  async close(): Promise<void> {
    await this.channel?.deleteQueue(this.queue).catch(() => undefined);
    await this.model?.close().catch(() => undefined);
  }
}
