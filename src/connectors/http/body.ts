/**
 * Request bodies for http-in: read with a size limit, decoded by an explicit codec (never guessed from the
 * content type). JSON, text and bytes as the other connectors decode them; form (URL-encoded) to an object; CSV
 * to an array of rows with csv-parse.
 */
import type { IncomingMessage } from 'node:http';
import { parse as parseCsv } from 'csv-parse/sync';
import { type Decoded, decode } from '../codec.js';

export type BodyCodec = 'json' | 'text' | 'bytes' | 'form' | 'csv';

export type BodyRead = { ok: true; body: Buffer } | { ok: false; status: 408 | 413 | 400; reason: string };

/**
 * Reads the whole body, refusing more than `limit` bytes (by Content-Length before reading, else while reading), and
 * calls `done` once with the result (a callback, not a promise: this is on every request's path).
 */
export function readBody(req: IncomingMessage, limit: number, done: (read: BodyRead) => void): void {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    done({ ok: false, status: 413, reason: `the body is ${declared} bytes, more than ${limit}` });
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let finished = false;
  const finish = (r: BodyRead) => {
    if (finished) return;
    finished = true;
    req.off('data', onData);
    done(r);
  };
  const onData = (chunk: Buffer) => {
    size += chunk.length;
    if (size > limit) {
      finish({ ok: false, status: 413, reason: `the body is more than ${limit} bytes` });
      return;
    }
    chunks.push(chunk);
  };
  req.on('data', onData);
  req.once('end', () => finish({ ok: true, body: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size) }));
  req.once('error', (err) => finish({ ok: false, status: 400, reason: `the request broke off: ${err.message}` }));
  req.once('aborted', () => finish({ ok: false, status: 400, reason: 'the client aborted the request' }));
}

export interface CsvOptions {
  /** First row names the columns: rows become objects. Else each row is an array of strings. */
  header: boolean;
  delimiter: string;
}

/** The body as a payload; a body that does not decode is a failure with the reason (the request is answered 400). */
export function decodeBody(body: Buffer, codec: BodyCodec, csv: CsvOptions): Decoded {
  if (codec === 'json' || codec === 'text' || codec === 'bytes') return decode(body, codec, 'the body');
  const text = decode(body, 'text', 'the body');
  if (!text.ok) return text;
  const s = text.payload as string;
  if (codec === 'form') return { ok: true, payload: formObject(new URLSearchParams(s)) };
  try {
    const rows = parseCsv(s, {
      columns: csv.header,
      delimiter: csv.delimiter,
      skip_empty_lines: true,
      bom: true,
    }) as unknown[];
    return { ok: true, payload: rows };
  } catch (err) {
    return { ok: false, reason: `the body is not valid CSV: ${(err as Error).message}`, payload: s };
  }
}

/** URL-encoded pairs as an object: a name given once maps to its value, a repeated name to its values in order. */
export function formObject(params: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = Object.create(null);
  for (const [k, v] of params) {
    const had = out[k];
    out[k] = had === undefined ? v : Array.isArray(had) ? [...had, v] : [had, v];
  }
  return out;
}
