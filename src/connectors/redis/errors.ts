/**
 * Redis error replies, classified: most say the command itself is wrong for this key (WRONGTYPE, a bad argument),
 * which no retry fixes; a few say the server is busy or failing over, which a retry can outlast.
 */
import { markFailure } from '../../spec/failure.js';

const TRANSIENT_CODES = new Set([
  'OOM',
  'BUSY',
  'LOADING',
  'READONLY',
  'TRYAGAIN',
  'CLUSTERDOWN',
  'MASTERDOWN',
  'NOREPLICAS',
  'MOVED',
  'ASK',
]);

/** An error reply from the server (ioredis's ReplyError), not a connection problem. */
export function isReplyError(err: unknown): err is Error {
  return err instanceof Error && err.name === 'ReplyError';
}

/** True when trying the same command again can succeed. */
export function retryable(err: unknown): boolean {
  if (!isReplyError(err)) return true; // the connection, a timeout: the world, not the command
  const code = err.message.split(' ', 1)[0];
  return TRANSIENT_CODES.has(code);
}

/** Marks `err` with its failure kind for the engine and returns it. */
export function classified<T>(err: T): T {
  return markFailure(err, retryable(err) ? 'transient' : 'deterministic');
}
