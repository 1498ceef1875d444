import { compileExpression } from '../../src/expr/index.js';
import { jsonataTruthy } from '../../src/expr/truthy.js';
import { isThenable } from '../../src/kit/index.js';
import { cloneMessage, type Message, type Static } from '../../src/spec/index.js';
import type { CreateRuntime, Output } from '../../src/spec/runtime-contract.js';
import type { switchNode } from './definition.js';

type Config = Static<typeof switchNode.config>;

export const create: CreateRuntime<Config> = (ctx) => {
  const rules = ctx.config.rules.map((r) => ({
    port: r.port,
    condition: compileExpression(r.condition, { timeoutMs: ctx.config.timeoutMs }),
  }));
  const all = ctx.config.mode === 'all';

  function route(msg: Message, out: Output, matches: boolean[]): void {
    const ports = rules.filter((_, i) => matches[i]).map((r) => r.port);
    if (ports.length === 0) ports.push('otherwise');
    // Each port is its own branch: every port but the last gets its own copy.
    ports.forEach((port, i) => {
      out.emit(port, i === ports.length - 1 ? msg : cloneMessage(msg));
    });
  }

  async function slow(msg: Message, out: Output, from: number, matches: boolean[], pending: unknown): Promise<void> {
    matches[from] = jsonataTruthy(await pending);
    for (let i = from + 1; i < rules.length && (all || !matches.includes(true)); i++) {
      matches[i] = jsonataTruthy(await rules[i].condition.evaluate(msg));
    }
    route(msg, out, matches);
  }

  return {
    handle(msg, out) {
      const matches: boolean[] = [];
      for (let i = 0; i < rules.length; i++) {
        const r = rules[i].condition.evaluate(msg);
        if (isThenable(r)) return slow(msg, out, i, matches, r);
        matches[i] = jsonataTruthy(r);
        if (matches[i] && !all) break;
      }
      route(msg, out, matches);
    },
  };
};
