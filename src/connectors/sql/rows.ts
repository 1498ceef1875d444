/** The column mapping: one JSONata expression per column, compiled once, evaluated per message into a row. */
import { type CompiledExpression, compileExpression } from '../../expr/index.js';
import { isThenable } from '../../kit/thenable.js';
import { DeterministicError, type Message } from '../../spec/index.js';
import type { Dialect, SqlValue } from './dialect.js';
import type { ColumnType } from './schema.js';
import { encodeValue } from './values.js';

export type Row = SqlValue[];

export class RowMapper {
  readonly columns: string[];
  private readonly exprs: CompiledExpression[];
  private readonly types: Array<ColumnType | undefined>;

  constructor(
    mapping: Record<string, string>,
    types: Partial<Record<string, ColumnType>>,
    private readonly dialect: Dialect,
    options: { timeoutMs: number },
  ) {
    this.columns = Object.keys(mapping);
    this.types = this.columns.map((c) => types[c]);
    this.exprs = this.columns.map((c) => {
      try {
        return compileExpression(mapping[c], { timeoutMs: options.timeoutMs });
      } catch (err) {
        throw new Error(`column "${c}": ${err instanceof Error ? err.message : String(err)}`);
      }
    });
  }

  /** The row for a message; a Promise only when an expression needs the interpreter's async path. */
  row(msg: Message): Row | Promise<Row> {
    const values: unknown[] = new Array(this.exprs.length);
    for (let i = 0; i < this.exprs.length; i++) {
      const v = this.evaluate(i, msg);
      if (isThenable(v)) return this.rowAsync(msg, values, i, v);
      values[i] = v;
    }
    return this.encode(values);
  }

  private async rowAsync(msg: Message, values: unknown[], from: number, first: PromiseLike<unknown>): Promise<Row> {
    values[from] = await this.wrap(from, first);
    for (let i = from + 1; i < this.exprs.length; i++) {
      const v = this.evaluate(i, msg);
      values[i] = isThenable(v) ? await this.wrap(i, v) : v;
    }
    return this.encode(values);
  }

  private evaluate(i: number, msg: Message): unknown {
    try {
      return this.exprs[i].evaluate(msg);
    } catch (err) {
      throw this.error(i, err);
    }
  }

  private async wrap(i: number, p: PromiseLike<unknown>): Promise<unknown> {
    try {
      return await p;
    } catch (err) {
      throw this.error(i, err);
    }
  }

  /** A column's expression failed on this message: it will fail the same way again. */
  private error(i: number, err: unknown): Error {
    return new DeterministicError(`column "${this.columns[i]}": ${err instanceof Error ? err.message : String(err)}`);
  }

  private encode(values: unknown[]): Row {
    return values.map((v, i) => encodeValue(v, this.types[i], this.columns[i], this.dialect));
  }
}
