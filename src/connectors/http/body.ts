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

/** The read in progress on a request, kept on the request itself so that its listeners can be shared functions. */
const READING = Symbol('sluice.readBody');

/**
 * A class, not an object literal: V8 may pretenure a literal's allocation site (allocate it in the old generation),
 * and an old object holding a request's callback keeps that request's objects (IncomingMessage, ServerResponse,
 * buffers) alive through every young-generation GC until a full one. Node's `once` wrapper, a literal, did that
 * here: each scavenge promoted megabytes of finished requests.
 */
class Reading {
  size = 0;
  chunks: Buffer[] = [];
  constructor(
    readonly limit: number,
    public done: ((read: BodyRead) => void) | undefined,
  ) {}
}

type ReadingRequest = IncomingMessage & { [READING]?: Reading };

/**
 * Reads the whole body, refusing more than `limit` bytes (by Content-Length before reading, else while reading), and
 * calls `done` once with the result (a callback, not a promise: this is on every request's path). The listeners are
 * module-level functions that find their state on the request: no closures to allocate per request.
 */
export function readBody(req: IncomingMessage, limit: number, done: (read: BodyRead) => void): void {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    done({ ok: false, status: 413, reason: `the body is ${declared} bytes, more than ${limit}` });
    return;
  }
  (req as ReadingRequest)[READING] = new Reading(limit, done);
  req.on('data', onData);
  req.on('end', onEnd);
  req.on('error', onError);
  req.on('aborted', onAborted);
}

function finish(req: ReadingRequest, read: BodyRead): void {
  const r = req[READING];
  if (!r?.done) return;
  const done = r.done;
  r.done = undefined;
  r.chunks = [];
  req.off('data', onData);
  req.off('end', onEnd);
  req.off('aborted', onAborted);
  // The 'error' listener stays: an error after the body was read must not become an uncaught exception.
  done(read);
}

function onData(this: ReadingRequest, chunk: Buffer): void {
  const r = this[READING];
  if (!r?.done) return;
  r.size += chunk.length;
  if (r.size > r.limit) {
    finish(this, { ok: false, status: 413, reason: `the body is more than ${r.limit} bytes` });
    return;
  }
  r.chunks.push(chunk);
}

function onEnd(this: ReadingRequest): void {
  const r = this[READING];
  if (!r?.done) return;
  const { chunks, size } = r;
  finish(this, { ok: true, body: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size) });
}

function onError(this: ReadingRequest, err: Error): void {
  finish(this, { ok: false, status: 400, reason: `the request broke off: ${err.message}` });
}

function onAborted(this: ReadingRequest): void {
  finish(this, { ok: false, status: 400, reason: 'the client aborted the request' });
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
