/**
 * The retry fields every sink shares: `attempts`, `retryDelayMs`, `retryMaxDelayMs` (exponential backoff with
 * jitter between attempts). Isomorphic. Each sink says what one attempt covers, when it retries, and its defaults.
 */
import type { LintIssue } from './node-definition.js';
import { Type } from './schema.js';

/** The names every sink with retries uses (a catalogue test checks it). */
export const RETRY_FIELDS = ['attempts', 'retryDelayMs', 'retryMaxDelayMs'] as const;

export interface RetryDefaults {
  attempts: number;
  retryDelayMs: number;
  retryMaxDelayMs: number;
}

export function retryProperties(o: {
  /** What one attempt sends or writes: a message, or a batch of them. */
  per: 'message' | 'batch';
  /** When an attempt is retried, e.g. "the broker is unreachable, nacks it or does not confirm it". */
  when: string;
  /** Extra words for the attempts description. */
  note?: string;
  defaults: RetryDefaults;
}) {
  const then = o.per === 'batch' ? 'its messages fail' : 'the message fails';
  return {
    attempts: Type.Integer({
      title: 'Attempts',
      minimum: 1,
      maximum: 100,
      default: o.defaults.attempts,
      description: `Attempts per ${o.per} (the first one included) while ${o.when}, with backoff; then ${then} (error port or error route).${o.note ? ` ${o.note}` : ''}`,
      'x-advanced': true,
    }),
    retryDelayMs: Type.Integer({
      title: 'First retry delay (ms)',
      minimum: 1,
      maximum: 600_000,
      default: o.defaults.retryDelayMs,
      description: 'The wait before the second attempt; it doubles (with jitter) after each failed attempt.',
      'x-advanced': true,
    }),
    retryMaxDelayMs: Type.Integer({
      title: 'Longest retry delay (ms)',
      minimum: 1,
      maximum: 3_600_000,
      default: o.defaults.retryMaxDelayMs,
      description: 'The backoff between attempts never waits longer than this.',
      'x-advanced': true,
    }),
  };
}

/** Cross-field rule for the retry fields; fields left out take `defaults`. */
export function retryIssues(
  config: { retryDelayMs?: unknown; retryMaxDelayMs?: unknown },
  defaults: RetryDefaults,
): LintIssue[] {
  const first = config.retryDelayMs ?? defaults.retryDelayMs;
  const longest = config.retryMaxDelayMs ?? defaults.retryMaxDelayMs;
  if (typeof first === 'number' && typeof longest === 'number' && longest < first) {
    return [{ path: '/retryMaxDelayMs', message: 'the longest retry delay is shorter than the first one' }];
  }
  return [];
}
