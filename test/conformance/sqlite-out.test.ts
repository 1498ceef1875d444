import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { sinkConformance } from './harness.js';

sinkConformance({
  name: 'sqlite-out',
  available: () => true,
  prepare: async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-sqlite-conf-'));
    const file = join(dir, 'conformance.db');
    const read = () => {
      const db = new Database(file, { readonly: true });
      try {
        return (db.prepare('SELECT id FROM readings').all() as Array<{ id: string }>).map((r) => r.id);
      } finally {
        db.close();
      }
    };
    return {
      connections: [],
      // The node opens the file itself and creates a STRICT table: an integer column refuses 'not a number'.
      node: {
        type: 'sqlite-out',
        config: {
          file,
          table: 'readings',
          columns: { id: 'payload.id', n: 'payload.n', text: 'payload.text' },
          types: { id: 'text', n: 'integer', text: 'text' },
          key: ['id'],
          batchSize: 100,
          lingerMs: 10,
        },
      },
      readBack: async () => read(),
      badPayload: { id: 'bad', n: 'not a number', text: 'x' },
      idempotent: true,
      cleanup: async () => rmSync(dir, { recursive: true, force: true }),
    };
  },
});
