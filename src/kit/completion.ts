/**
 * A message's completion that costs less than a promise on the hot path.
 *
 * A sink's `handle` returns what settles when the message is safe (e.g. its batch committed). With a promise, each
 * in-flight message carries the promise, its resolve/reject functions and their context, and the engine's two
 * callbacks with theirs: several objects that live until the sink's acknowledgement, which young-generation GC
 * copies while they wait (with this change, Kafka's GC pauses in bench/scenarios/e2e.ts went from ~6 to ~3 µs per
 * message). A Completion is one object; the
 * engine is told through `settleInto` (a plain method call, no closure), and anyone else can still `await` it:
 * `then` makes a real promise on first use.
 */
export interface SettleTarget {
  resolved(): void;
  rejected(err: unknown): void;
}

export interface Settleable extends PromiseLike<void> {
  /** Tell `target` once when settled (at once if already settled). One target per completion. */
  settleInto(target: SettleTarget): void;
}

export function isSettleable(value: unknown): value is Settleable {
  return typeof (value as Settleable | undefined)?.settleInto === 'function';
}

const PENDING = 0;
const RESOLVED = 1;
const REJECTED = 2;

export class Completion implements Settleable {
  private state = PENDING;
  private error: unknown;
  private target: SettleTarget | undefined;
  private promise: Promise<void> | undefined;
  private resolvePromise: (() => void) | undefined;
  private rejectPromise: ((err: unknown) => void) | undefined;

  static rejected(err: unknown): Completion {
    const c = new Completion();
    c.reject(err);
    return c;
  }

  resolve(): void {
    if (this.state !== PENDING) return;
    this.state = RESOLVED;
    const target = this.target;
    this.target = undefined;
    if (target) {
      try {
        target.resolved();
      } catch (err) {
        rethrowLater(err);
      }
    }
    this.resolvePromise?.();
  }

  reject(err: unknown): void {
    if (this.state !== PENDING) return;
    this.state = REJECTED;
    this.error = err;
    const target = this.target;
    this.target = undefined;
    if (target) {
      try {
        target.rejected(err);
      } catch (thrown) {
        rethrowLater(thrown);
      }
    }
    this.rejectPromise?.(err);
  }

  settleInto(target: SettleTarget): void {
    if (this.target) throw new Error('a completion settles into one target only');
    if (this.state === RESOLVED) target.resolved();
    else if (this.state === REJECTED) target.rejected(this.error);
    else this.target = target;
  }

  // biome-ignore lint/suspicious/noThenProperty: a thenable on purpose, so that callers can await it
  then<A = void, B = never>(
    // biome-ignore lint/suspicious/noConfusingVoidType: PromiseLike<void>'s own signature
    onResolved?: ((value: void) => A | PromiseLike<A>) | null,
    onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    if (!this.promise) {
      if (this.state === RESOLVED) this.promise = Promise.resolve();
      else if (this.state === REJECTED) this.promise = Promise.reject(this.error);
      else {
        this.promise = new Promise<void>((resolve, reject) => {
          this.resolvePromise = resolve;
          this.rejectPromise = reject;
        });
      }
    }
    return this.promise.then(onResolved, onRejected);
  }
}

/**
 * A throw in a target's callback is a bug in the target, not a failure of this completion or of the others settled
 * in the same loop (a sink settles a whole batch at once): it surfaces as an uncaught error, as a throw in a promise
 * callback would as an unhandled rejection.
 */
function rethrowLater(err: unknown): void {
  queueMicrotask(() => {
    throw err;
  });
}
