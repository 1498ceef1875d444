/** SQL text for the sinks: batched INSERT (optionally upsert) and CREATE TABLE IF NOT EXISTS. Values never appear here. */
import type { Dialect } from './dialect.js';
import { assertIdentifier, assertTable, tableParts } from './identifiers.js';
import type { ColumnType } from './schema.js';

export interface TablePlan {
  table: string;
  columns: string[];
  types: Partial<Record<string, ColumnType>>;
  /** Upsert key; empty for plain inserts. */
  key: string[];
  onConflict: 'update' | 'nothing';
}

/** Checks every name (the runtime does not trust that lint ran) and returns the plan unchanged. */
export function checkPlan(plan: TablePlan): TablePlan {
  assertTable(plan.table);
  if (plan.columns.length === 0) throw new Error('no columns are mapped');
  for (const c of plan.columns) assertIdentifier(c, 'column');
  for (const k of plan.key) {
    if (!plan.columns.includes(k)) throw new Error(`upsert key column "${k}" is not a mapped column`);
  }
  return plan;
}

export function quoteTable(d: Dialect, table: string): string {
  return tableParts(table).map(d.quote).join('.');
}

/** INSERT statements by row count, built once per count: batches mostly share a few sizes. */
export class InsertBuilder {
  private readonly cache = new Map<number, string>();
  private readonly head: string;
  private readonly tail: string;
  /** Rows per statement at most, under the dialect's parameter limit. */
  readonly maxRows: number;

  constructor(
    private readonly d: Dialect,
    private readonly plan: TablePlan,
  ) {
    checkPlan(plan);
    this.head = `INSERT INTO ${quoteTable(d, plan.table)} (${plan.columns.map(d.quote).join(', ')}) VALUES `;
    const update = plan.onConflict === 'update' ? plan.columns.filter((c) => !plan.key.includes(c)) : [];
    this.tail = plan.key.length > 0 ? ` ${d.upsert(plan.key, update)}` : '';
    this.maxRows = Math.max(1, Math.floor(d.maxParams / plan.columns.length));
  }

  sql(rows: number): string {
    if (rows < 1 || rows > this.maxRows) throw new RangeError(`${rows} rows do not fit one statement`);
    let text = this.cache.get(rows);
    if (text === undefined) {
      const width = this.plan.columns.length;
      const tuples: string[] = [];
      for (let r = 0; r < rows; r++) {
        const ph: string[] = [];
        for (let c = 1; c <= width; c++) ph.push(this.d.placeholder(r * width + c));
        tuples.push(`(${ph.join(', ')})`);
      }
      text = this.head + tuples.join(', ') + this.tail;
      if (this.cache.size < 64) this.cache.set(rows, text);
    }
    return text;
  }
}

export function createTableSql(d: Dialect, plan: TablePlan, o: { strict: boolean }): string {
  checkPlan(plan);
  const defs = plan.columns.map((c) => {
    const key = plan.key.includes(c);
    const type = d.columnType(plan.types[c], { key, strict: o.strict });
    if (type === undefined) throw new Error(`creating table "${plan.table}" needs a type for column "${c}"`);
    return `${d.quote(c)}${type ? ` ${type}` : ''}${key ? ' NOT NULL' : ''}`;
  });
  if (plan.key.length > 0) defs.push(`PRIMARY KEY (${plan.key.map(d.quote).join(', ')})`);
  return `CREATE TABLE IF NOT EXISTS ${quoteTable(d, plan.table)} (${defs.join(', ')})${d.tableOptions(o.strict)}`;
}
