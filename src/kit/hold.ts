/**
 * Held inputs: how a stateful node (window, join) keeps the lineage of each message it holds open until what it
 * derived from it has settled.
 *
 * The node's `handle` returns a `Hold` instead of finishing: the engine settles the input's delivery into it, so the
 * input (and its source's acknowledgement) stays open. When the node emits the aggregate with
 * `ctx.emitDerived(port, msg, holds)`, the engine gives the aggregate a lineage of its own (see `derivedLineage`)
 * whose outcome every hold takes: delivered, dropped on purpose or taken by an error route releases the inputs as
 * delivered; a failure the flow drops marks them dropped; a failure the source must redeliver nacks them. A message
 * in several windows (sliding windows) is retained once per window and finishes when the last one settled. The
 * node lets go of a hold it never emitted from with `release(outcome)` (a late message dropped, a stop).
 */
import type { Held, Outcome } from '../spec/runtime-contract.js';
import type { Settleable, SettleTarget } from './completion.js';

/** What a Hold settles into: the engine's delivery of the held input. */
export interface HoldTarget extends SettleTarget {
  /** The held input descends from a trip to the error route (a derived message must not go there again). */
  readonly routed: boolean;
  /** What was derived from the input failed (`outcome` not ok, or ok with `dropped`): its lineage takes that. */
  merged(outcome: Outcome): void;
}

const DELIVERED: Outcome = Object.freeze({ ok: true });

function isHoldTarget(t: SettleTarget): t is HoldTarget {
  return typeof (t as Partial<HoldTarget>).merged === 'function';
}

/** A nack outranks a drop, which outranks a delivery. */
function worse(a: Outcome | undefined, b: Outcome): Outcome | undefined {
  if (b.ok && b.dropped === undefined) return a;
  if (!a) return b;
  if (!a.ok) return a;
  return b.ok ? a : b;
}

export class Hold implements Settleable, Held {
  /** The node's own claim (released by `release`) plus one per derived message it is in. */
  private refs = 1;
  private outcome: Outcome | undefined;
  /** Retained by a derived message at least once: merged, not dropped, when it finishes. */
  private merged = false;
  private finished = false;
  private failure: { err: unknown } | undefined;
  private target: SettleTarget | undefined;
  private promise: Promise<void> | undefined;
  private resolvePromise: (() => void) | undefined;

  get routed(): boolean {
    return this.target !== undefined && isHoldTarget(this.target) && this.target.routed;
  }

  /** Counted in one more derived message (the engine calls it in `emitDerived`). */
  retain(): void {
    this.merged = true;
    this.refs++;
  }

  /** One claim ends: a derived message settled with `outcome`, or the node let go (no outcome: nothing failed). */
  release(outcome?: Outcome): void {
    if (this.finished) return;
    if (outcome) this.outcome = worse(this.outcome, outcome);
    if (--this.refs > 0) return;
    this.finished = true;
    const target = this.target;
    this.target = undefined;
    if (target) this.settle(target);
    this.resolvePromise?.();
  }

  /** The node could not take the input after all (e.g. an expression failed later): it fails like a throw. */
  fail(err: unknown): void {
    if (this.finished) return;
    this.finished = true;
    this.failure = { err };
    const target = this.target;
    this.target = undefined;
    target?.rejected(err);
    this.resolvePromise?.();
  }

  settleInto(target: SettleTarget): void {
    if (this.target) throw new Error('a hold settles into one target only');
    if (!this.finished) this.target = target;
    else if (this.failure) target.rejected(this.failure.err);
    else this.settle(target);
  }

  private settle(target: SettleTarget): void {
    if ((this.merged || this.outcome) && isHoldTarget(target)) target.merged(this.outcome ?? DELIVERED);
    target.resolved();
  }

  // biome-ignore lint/suspicious/noThenProperty: a thenable on purpose, so that callers (tests) can await it
  then<A = void, B = never>(
    // biome-ignore lint/suspicious/noConfusingVoidType: PromiseLike<void>'s own signature
    onResolved?: ((value: void) => A | PromiseLike<A>) | null,
    onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    if (!this.promise) {
      this.promise = this.finished
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            this.resolvePromise = resolve;
          });
    }
    return this.promise.then(onResolved, onRejected);
  }
}
