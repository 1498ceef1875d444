/**
 * A compiled expression: the fast path when it applies, jsonata's interpreter (with its time and depth guards)
 * otherwise. The interpreter also re-runs any evaluation the fast path gave up on, so results and errors are
 * always jsonata's.
 */
import type jsonata from 'jsonata';
import { toExpressionError } from './errors.js';
import type { FastPath } from './fast.js';

const isEnumerable = Object.prototype.propertyIsEnumerable;

export class Compiled {
  readonly fast: boolean;

  constructor(
    readonly source: string,
    private readonly interpreter: jsonata.Expression,
    private readonly fastPath: FastPath | undefined,
  ) {
    this.fast = fastPath !== undefined;
  }

  evaluate(input: unknown, bindings?: Record<string, unknown>): unknown | Promise<unknown> {
    const fastPath = this.fastPath;
    if (fastPath !== undefined && (bindings === undefined || !this.shadowsBuiltin(fastPath, bindings))) {
      try {
        return fastPath.run(input, bindings);
      } catch {
        // unusual input or an error: the interpreter decides the exact outcome
      }
    }
    return this.interpret(input, bindings);
  }

  /** A binding named like a built-in that the expression calls replaces that built-in in jsonata. */
  private shadowsBuiltin(fastPath: FastPath, bindings: Record<string, unknown>): boolean {
    for (const name of fastPath.called) if (isEnumerable.call(bindings, name)) return true;
    return false;
  }

  private async interpret(input: unknown, bindings: Record<string, unknown> | undefined): Promise<unknown> {
    try {
      return await this.interpreter.evaluate(input, bindings);
    } catch (e) {
      throw toExpressionError(e);
    }
  }
}
