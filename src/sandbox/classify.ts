/** Turns what QuickJS threw (already dumped to a host value) into a SandboxError with user-code positions. */
import { SandboxError } from './errors.js';

/** QuickJS names code compiled by the Function constructor `<input>`: those frames are the user's. */
/** Deep recursion yields hundreds of identical frames; the first few say enough. */
const MAX_FRAMES = 10;
const USER_FRAME = /^\s*at (?:(.*?) \()?<input>:(\d+):(\d+)\)?\s*$/;

export function formatBytes(bytes: number): string {
  return `${Number((bytes / 2 ** 20).toFixed(2))} MB`;
}

export function memoryError(memoryBytes: number): SandboxError {
  return new SandboxError('memory', `out of memory (limit ${formatBytes(memoryBytes)})`);
}

export function timeoutError(timeoutMs: number): SandboxError {
  return new SandboxError('timeout', `timed out after ${timeoutMs} ms`);
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * `thrown` is the dump of the exception; `lineOffset` is where line 1 of the user's code sits in the
 * compiled source. `compiling` turns a SyntaxError into kind `syntax`.
 */
export function classifyThrown(
  thrown: unknown,
  opts: { lineOffset: number; memoryBytes: number; compiling: boolean; codeLines: number },
): SandboxError {
  const obj = thrown !== null && typeof thrown === 'object' ? (thrown as Record<string, unknown>) : undefined;
  if (!obj || typeof obj.message !== 'string') {
    return new SandboxError(opts.compiling ? 'syntax' : 'user', describeValue(thrown));
  }
  const name = typeof obj.name === 'string' ? obj.name : 'Error';
  if ((name === 'InternalError' || name === 'RangeError') && /^out of memory/.test(obj.message)) {
    return memoryError(opts.memoryBytes);
  }
  const frames: string[] = [];
  let line: number | undefined;
  let column: number | undefined;
  for (const raw of typeof obj.stack === 'string' ? obj.stack.split('\n') : []) {
    const m = USER_FRAME.exec(raw);
    if (!m) continue;
    let l = Number(m[2]) - opts.lineOffset;
    let c: number | undefined = Number(m[3]);
    // An unexpected end of input is reported on the wrapper's closing line: point at the code's end instead.
    if (l > opts.codeLines) {
      l = opts.codeLines;
      c = undefined;
    }
    if (line === undefined) {
      line = l;
      column = c;
    }
    const where = c === undefined ? `line ${l}` : `line ${l}:${c}`;
    frames.push(m[1] ? `at ${m[1]} (${where})` : `at ${where}`);
  }
  if (frames.length > MAX_FRAMES)
    frames.splice(MAX_FRAMES, frames.length - MAX_FRAMES, `... ${frames.length - MAX_FRAMES} more`);
  const kind = opts.compiling && name === 'SyntaxError' ? 'syntax' : 'user';
  return new SandboxError(kind, `${name}: ${obj.message}`, {
    line,
    column,
    userStack: frames.length ? frames.join('\n') : undefined,
  });
}
