import mysql from 'mysql2/promise';
import { requireService } from '../support/services.js';
import { sinkConformance } from './harness.js';

const server = { host: '127.0.0.1', port: 3306, user: 'root', database: 'test' };

sinkConformance({
  name: 'mysql-out',
  available: () => requireService('mariadb'),
  prepare: async () => {
    const table = `conf_my_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6)}`;
    const admin = await mysql.createConnection(server);
    await admin.query(
      `CREATE TABLE ${table} (id VARCHAR(64) PRIMARY KEY, n INT NOT NULL, text TEXT) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
    );
    return {
      connections: [{ id: 'my', kind: 'mysql', config: server }],
      node: {
        type: 'mysql-out',
        config: {
          connection: 'my',
          table,
          columns: { id: 'payload.id', n: 'payload.n', text: 'payload.text' },
          key: ['id'],
          batchSize: 100,
          lingerMs: 10,
        },
      },
      readBack: async () => {
        const [rows] = await admin.query<mysql.RowDataPacket[]>(`SELECT id FROM ${table}`);
        return rows.map((r) => String(r.id));
      },
      // Refused because the connection runs the session in strict mode (STRICT_ALL_TABLES).
      badPayload: { id: 'bad', n: 'not a number', text: 'x' },
      idempotent: true,
      cleanup: async () => {
        await admin.query(`DROP TABLE IF EXISTS ${table}`);
        await admin.end();
      },
    };
  },
});
