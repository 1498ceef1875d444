import type pg from 'pg';

/** A sink creates its table on its first write: until then a probe sees no rows instead of an error. */
export async function rowsOrNone(
  db: pg.Client,
  sql: string,
  params?: unknown[],
): Promise<Array<Record<string, unknown>>> {
  try {
    return (await db.query(sql, params)).rows as Array<Record<string, unknown>>;
  } catch (err) {
    if ((err as { code?: string }).code === '42P01') return []; // undefined_table
    throw err;
  }
}
