import pg from 'pg';
import { requireService } from '../support/services.js';
import { sinkConformance } from './harness.js';

const server = { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' };

sinkConformance({
  name: 'postgres-out',
  available: () => requireService('postgres'),
  prepare: async () => {
    const table = `conf_pg_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6)}`;
    const admin = new pg.Client(server);
    await admin.connect();
    await admin.query(`CREATE TABLE ${table} (id text PRIMARY KEY, n integer NOT NULL, text text)`);
    return {
      connections: [{ id: 'pg', kind: 'postgres', config: server }],
      node: {
        type: 'postgres-out',
        config: {
          connection: 'pg',
          table,
          columns: { id: 'payload.id', n: 'payload.n', text: 'payload.text' },
          key: ['id'],
          batchSize: 100,
          lingerMs: 10,
        },
      },
      readBack: async () => (await admin.query<{ id: string }>(`SELECT id FROM ${table}`)).rows.map((r) => r.id),
      badPayload: { id: 'bad', n: 'not a number', text: 'x' },
      idempotent: true,
      cleanup: async () => {
        await admin.query(`DROP TABLE IF EXISTS ${table}`);
        await admin.end();
      },
    };
  },
});
