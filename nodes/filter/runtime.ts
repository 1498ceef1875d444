import { compileExpression } from '../../src/expr/index.js';
import { jsonataTruthy } from '../../src/expr/truthy.js';
import { isThenable } from '../../src/kit/index.js';
import type { Static } from '../../src/spec/index.js';
import type { CreateRuntime } from '../../src/spec/runtime-contract.js';
import type { filter } from './definition.js';

type Config = Static<typeof filter.config>;

export const create: CreateRuntime<Config> = (ctx) => {
  const condition = compileExpression(ctx.config.condition, { timeoutMs: ctx.config.timeoutMs });
  return {
    handle(msg, out) {
      const r = condition.evaluate(msg);
      if (isThenable(r)) {
        return Promise.resolve(r).then((v) => {
          if (jsonataTruthy(v)) out.emit('out', msg);
        });
      }
      // Not emitting is a deliberate drop: the engine counts it and the source acknowledges.
      if (jsonataTruthy(r)) out.emit('out', msg);
    },
  };
};
