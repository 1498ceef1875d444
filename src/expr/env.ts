/**
 * Runtime state of one fast-path evaluation. Variable scopes are resolved at compile time: only blocks that
 * assign variables (`$x := ...`) get a frame, and a variable reference reads known slots along the chain.
 * A slot holds UNBOUND until assigned, so that a conditional assignment falls through to outer scopes as
 * jsonata's frame lookup does (an assigned `undefined` still shadows).
 */
export const UNBOUND: unique symbol = Symbol('sluice.expr.unbound');

export class Run {
  /** `$millis()` / `$now()`: one timestamp per evaluation, taken on first use. */
  millis: number | undefined = undefined;

  constructor(
    /** the input as given (`$$`) */
    readonly input: unknown,
    readonly bindings: Record<string, unknown> | undefined,
  ) {}

  now(): number {
    if (this.millis === undefined) this.millis = Date.now();
    return this.millis;
  }
}

export class Env {
  readonly slots: unknown[];

  constructor(
    readonly run: Run,
    readonly parent: Env | undefined,
    size: number,
  ) {
    this.slots = size === 0 ? NO_SLOTS : new Array<unknown>(size).fill(UNBOUND);
  }
}

const NO_SLOTS: unknown[] = [];

/** A compiled expression node: JSONata's `evaluate(expr, input, environment)`, synchronous. */
export type Eval = (input: unknown, env: Env) => unknown;
