/** examples/webhook-to-postgres.json as shipped (port and table renamed per run), against PostgreSQL. */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { catalog } from '../../../nodes/catalog.js';
import { Engine } from '../../../src/runtime/engine.js';
import { eventually } from '../../conformance/harness.js';
import { requireService } from '../../support/services.js';
import { freePort, send } from './support.js';

let engine: Engine | undefined;
afterEach(async () => {
  await engine?.stop({ deadlineMs: 2000 });
  engine = undefined;
});

describe.runIf(await requireService('postgres'))('examples/webhook-to-postgres.json', () => {
  it('stores each valid order once, answers 200 after the commit, 401 without the token', async () => {
    const t = `ex${randomBytes(4).toString('hex')}`;
    const port = await freePort();
    const flow = JSON.parse(
      readFileSync(new URL('../../../examples/webhook-to-postgres.json', import.meta.url), 'utf8')
        .replace('"port": 8080', `"port": ${port}`)
        .replace('"host": "0.0.0.0"', '"host": "127.0.0.1"')
        .replaceAll('"webhook_orders"', `"${t}_orders"`),
    );
    engine = new Engine({
      catalog,
      resolve: { env: { PGPASSWORD: '', WEBHOOK_TOKEN: 'tok' }, readFile: () => '' },
    });
    await engine.start(flow);
    const url = `http://127.0.0.1:${port}/hooks/orders/berlin`;
    const headers = (key: string) => ({
      authorization: 'Bearer tok',
      'content-type': 'application/json',
      'idempotency-key': key,
    });
    for (let i = 0; i < 10; i++) {
      const a = await send(url, {
        body: JSON.stringify({ orderId: `o${i}`, total: i + 0.5 }),
        headers: headers(`k${i}`),
      });
      expect(a.status).toBe(200);
    }
    // A sender's retry of k3 and an invalid order: both answered 200, neither adds a row.
    expect(
      (await send(url, { body: JSON.stringify({ orderId: 'o3', total: 3.5 }), headers: headers('k3') })).status,
    ).toBe(200);
    expect((await send(url, { body: JSON.stringify({ orderId: 'x' }), headers: headers('bad') })).status).toBe(200);
    expect((await send(url, { body: '{}', headers: { 'content-type': 'application/json' } })).status).toBe(401);

    const client = new pg.Client({ host: '127.0.0.1', user: 'postgres', database: 'test' });
    await client.connect();
    try {
      const rows = await eventually(
        async () => (await client.query(`SELECT order_id, shop, total FROM "${t}_orders" ORDER BY order_id`)).rows,
        (r) => r.length >= 10,
        10_000,
        '10 rows',
      );
      expect(rows).toHaveLength(10);
      expect(rows[0]).toEqual({ order_id: 'o0', shop: 'berlin', total: 0.5 });
    } finally {
      await client.query(`DROP TABLE IF EXISTS "${t}_orders"`);
      await client.end();
    }
  });
});
