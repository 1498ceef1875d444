/**
 * redis-out's delivery path: commands (XADD or PUBLISH) are collected into batches (size and linger) and each
 * batch goes out as one pipeline; a message's completion settles when Redis answered its command.
 *
 * Failures are per command: an error reply (WRONGTYPE: the key is not a stream) fails that message alone and is not
 * retried; a connection error or a busy server (LOADING, OOM, ...) retries the commands that failed with backoff
 * until the attempts run out. A command whose connection dropped may have been applied: retries can add an entry
 * twice (at-least-once; an id field lets consumers de-duplicate).
 */
import { Batcher } from '../../kit/batcher.js';
import type { Settleable } from '../../kit/completion.js';
import { backoffDelay, sleep } from '../../kit/retry.js';
import { markFailure } from '../../spec/failure.js';
import type { Logger } from '../../spec/runtime-contract.js';
import type { RedisLink } from './client.js';
import { retryable } from './errors.js';
import { errorText } from './status.js';

export type Command =
  | { kind: 'xadd'; key: string; maxLen: number; fields: Array<string | Buffer> }
  | { kind: 'publish'; key: string; message: string | Buffer };

export interface WriterOptions {
  link: RedisLink;
  batchSize: number;
  lingerMs: number;
  attempts: number;
  retryDelayMs: number;
  retryMaxDelayMs: number;
  signal: AbortSignal;
  log: Logger;
  node: string;
}

export class RedisWriter {
  private readonly batcher: Batcher<Command>;

  constructor(private readonly o: WriterOptions) {
    this.batcher = new Batcher<Command>({
      maxSize: o.batchSize,
      lingerMs: o.lingerMs,
      flush: async (commands) => {
        const failures = await this.deliver(commands);
        const first = failures.values().next();
        if (!first.done) throw first.value;
      },
      flushPartial: (commands) => this.deliver(commands),
    });
  }

  add(command: Command): Settleable {
    return this.batcher.add(command);
  }

  async close(): Promise<void> {
    await this.batcher.close();
  }

  /** Sends `commands`, retrying the ones that failed retryably; returns index -> error for those that failed for good. */
  private async deliver(commands: Command[]): Promise<Map<number, Error>> {
    const failures = new Map<number, Error>();
    let todo = commands.map((_, i) => i);
    for (let attempt = 1; ; attempt++) {
      const errors = await this.exec(todo.map((i) => commands[i]));
      const again: number[] = [];
      let lastError: Error | undefined;
      errors.forEach((err, k) => {
        if (!err) return;
        const i = todo[k];
        if (retryable(err) && attempt < this.o.attempts && !this.o.signal.aborted) {
          again.push(i);
          lastError = err;
        } else {
          const kind = retryable(err) ? 'transient' : 'deterministic';
          failures.set(i, markFailure(new Error(`${this.o.node}: ${errorText(err)}`), kind));
        }
      });
      if (again.length === 0) return failures;
      const delayMs = backoffDelay(attempt, this.o.retryDelayMs, this.o.retryMaxDelayMs);
      this.o.log.debug(
        { err: errorText(lastError), attempt, delayMs, commands: again.length },
        'Redis write failed; retrying',
      );
      await sleep(delayMs, this.o.signal);
      todo = again;
    }
  }

  /** One pipeline; the error of each command (undefined: it succeeded). */
  private async exec(commands: Command[]): Promise<Array<Error | undefined>> {
    const pipeline = this.o.link.redis.pipeline();
    for (const c of commands) {
      if (c.kind === 'publish') pipeline.publish(c.key, c.message);
      else if (c.maxLen > 0) pipeline.xadd(c.key, 'MAXLEN', '~', c.maxLen, '*', ...c.fields);
      else pipeline.xadd(c.key, '*', ...c.fields);
    }
    try {
      const results = (await pipeline.exec()) ?? [];
      return commands.map((_, i) => results[i]?.[0] ?? (results[i] ? undefined : new Error('no reply')));
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      return commands.map(() => error);
    }
  }
}
