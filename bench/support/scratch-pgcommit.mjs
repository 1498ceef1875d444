import pg from 'pg';
const c = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/test' });
await c.connect();
await c.query('CREATE TEMP TABLE t (id text primary key, v double precision)');
await c.query('CREATE TABLE IF NOT EXISTS scratch_commit_probe (id text primary key, v double precision)');
const lat = [];
for (let i = 0; i < 200; i++) {
  const rows = Array.from({ length: 25 }, (_, j) => `('${i}-${j}', ${j})`).join(',');
  const t = performance.now();
  await c.query(`INSERT INTO scratch_commit_probe VALUES ${rows}`);
  lat.push(performance.now() - t);
}
await c.query('DROP TABLE scratch_commit_probe');
lat.sort((a, b) => a - b);
console.log('25-row insert+commit (autocommit) p50', lat[100].toFixed(2), 'ms p99', lat[198].toFixed(2), 'ms');
await c.end();
