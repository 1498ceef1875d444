/**
 * Failure kinds: can the same message succeed if it is tried again? Isomorphic; the engine reads the kind, nodes and
 * connectors mark their errors with it.
 *
 * - `deterministic`: the message itself is the problem (a payload that does not decode, an expression error, a
 *   validation failure, a row the database refuses). Redelivering it fails the same way, so it must never loop.
 * - `transient`: the world is the problem (a service down, a timeout, a connection lost). Redelivery can succeed.
 *
 * An error without a kind counts as transient when a sink throws it (the safe guess: redeliver rather than lose)
 * and as deterministic when any other node throws it (a transform fails the same way every time).
 */
export type FailureKind = 'deterministic' | 'transient';

/** An error that carries its kind (any error object may instead have a `failureKind` property; see markFailure). */
export interface KindedError extends Error {
  readonly failureKind: FailureKind;
}

/** The message cannot succeed as it is: retrying will not help. */
export class DeterministicError extends Error implements KindedError {
  readonly failureKind = 'deterministic' as const;
}

/** A service is down or slow: trying again later can work. */
export class TransientError extends Error implements KindedError {
  readonly failureKind = 'transient' as const;
}

/** Gives an existing error object a kind (e.g. a driver's error, classified) and returns it. */
export function markFailure<T>(err: T, kind: FailureKind): T {
  if (typeof err === 'object' && err !== null && Object.isExtensible(err)) {
    (err as { failureKind?: FailureKind }).failureKind = kind;
  }
  return err;
}

/** The kind an error was marked with, or undefined. */
export function failureKindOf(err: unknown): FailureKind | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const kind = (err as { failureKind?: unknown }).failureKind;
  return kind === 'deterministic' || kind === 'transient' ? kind : undefined;
}
