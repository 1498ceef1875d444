import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { columnsOf } from '../../src/connectors/csv.js';
import { DeterministicError, type Message, type Static } from '../../src/spec/index.js';
import type { CreateRuntime, Output } from '../../src/spec/runtime-contract.js';
import { SPLIT_COUNT, SPLIT_ID, SPLIT_INDEX, SPLIT_TYPE } from '../../src/spec/split-headers.js';
import type { csv } from './definition.js';

type Config = Static<typeof csv.config>;

const utf8 = new TextDecoder('utf-8', { fatal: true });
const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);

export const create: CreateRuntime<Config> = (ctx) => {
  const c = ctx.config;
  const where = `csv "${ctx.nodeId}"`;
  const fail = (what: string) => new DeterministicError(`${where}: ${what}`);
  const named = c.columns.length > 0;
  const parseOptions = {
    delimiter: c.delimiter,
    columns: named ? c.columns : c.header,
    from_line: named && c.header ? 2 : 1,
    skip_empty_lines: true,
    bom: true,
    cast: c.cast,
  };
  const cast = { object: (v: object) => JSON.stringify(v), boolean: (v: boolean) => String(v) };

  function parseRows(msg: Message): unknown[] {
    let text: string;
    if (typeof msg.payload === 'string') text = msg.payload;
    else if (msg.payload instanceof Uint8Array) {
      try {
        text = utf8.decode(msg.payload);
      } catch {
        throw fail('the payload is bytes that are not UTF-8 text');
      }
    } else throw fail(`the payload is ${msg.payload === null ? 'null' : `a ${typeof msg.payload}`}, not CSV text`);
    let rows: unknown[];
    try {
      rows = parse(text, parseOptions) as unknown[];
    } catch (err) {
      throw fail(`the payload is not valid CSV: ${(err as Error).message}`);
    }
    if (rows.length > c.maxRows) throw fail(`${rows.length} rows, more than maxRows (${c.maxRows})`);
    return rows;
  }

  function write(payload: unknown): string {
    const rows = isRecord(payload) ? [payload] : payload;
    if (!Array.isArray(rows)) {
      throw fail(
        `the payload is ${payload === null ? 'null' : `a ${typeof payload}`}; stringify needs an array of rows or an object`,
      );
    }
    if (rows.every((r) => Array.isArray(r))) {
      const header = c.header && named ? [c.columns] : [];
      return stringify([...header, ...(rows as unknown[][])], { delimiter: c.delimiter, cast });
    }
    if (!rows.every(isRecord)) throw fail('the rows must be all objects or all arrays');
    const columns = named ? c.columns : columnsOf(rows);
    return stringify(rows, { delimiter: c.delimiter, header: c.header, columns, cast });
  }

  function emitRows(msg: Message, rows: unknown[], out: Output): void {
    const count = String(rows.length);
    rows.forEach((row, i) => {
      out.emit('out', {
        id: `${msg.id}:${i}`,
        topic: msg.topic,
        key: msg.key,
        payload: row,
        headers: {
          ...msg.headers,
          [SPLIT_ID]: msg.id,
          [SPLIT_INDEX]: String(i),
          [SPLIT_COUNT]: count,
          [SPLIT_TYPE]: 'array',
        },
        timestamp: msg.timestamp,
      });
    });
  }

  return {
    handle(msg, out) {
      if (c.action === 'stringify') {
        msg.payload = write(msg.payload);
        out.emit('out', msg);
        return;
      }
      const rows = parseRows(msg);
      if (c.output === 'messages') emitRows(msg, rows, out);
      else {
        msg.payload = rows;
        out.emit('out', msg);
      }
    },
  };
};
