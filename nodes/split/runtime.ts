import { compileExpression } from '../../src/expr/index.js';
import { isThenable } from '../../src/kit/index.js';
import { cloneWire, DeterministicError, type Message, type Static } from '../../src/spec/index.js';
import type { CreateRuntime, Output } from '../../src/spec/runtime-contract.js';
import {
  SPLIT_COUNT,
  SPLIT_ID,
  SPLIT_INDEX,
  SPLIT_KEY,
  SPLIT_SEPARATOR,
  SPLIT_TYPE,
} from '../../src/spec/split-headers.js';
import type { split } from './definition.js';

type Config = Static<typeof split.config>;

export const create: CreateRuntime<Config> = (ctx) => {
  const c = ctx.config;
  const where = `split "${ctx.nodeId}"`;
  const property = compileExpression(c.property, { timeoutMs: c.timeoutMs });

  const tooMany = (n: number) =>
    new DeterministicError(`${where}: ${n} parts, more than maxParts (${c.maxParts}); raise maxParts or split less`);

  function emitParts(msg: Message, value: unknown, out: Output): void {
    let parts: unknown[];
    let keys: string[] | undefined;
    let type: 'array' | 'string' | 'object';
    if (Array.isArray(value)) {
      type = 'array';
      parts = value;
    } else if (typeof value === 'string') {
      type = 'string';
      parts = value.split(c.separator);
      if (c.skipEmpty) parts = parts.filter((p) => p !== '');
    } else if (value !== null && typeof value === 'object' && !(value instanceof Uint8Array)) {
      type = 'object';
      keys = Object.keys(value);
      parts = keys.map((k) => (value as Record<string, unknown>)[k]);
    } else {
      const kind =
        value === undefined
          ? 'missing'
          : value === null
            ? 'null'
            : value instanceof Uint8Array
              ? 'bytes'
              : `a ${typeof value}`;
      throw new DeterministicError(
        `${where}: the value to split (${c.property}) is ${kind}, not an array, a text or an object`,
      );
    }
    if (parts.length > c.maxParts) throw tooMany(parts.length);
    const count = String(parts.length);
    for (let i = 0; i < parts.length; i++) {
      const headers: Record<string, string> = {
        ...msg.headers,
        [SPLIT_ID]: msg.id,
        [SPLIT_INDEX]: String(i),
        [SPLIT_COUNT]: count,
        [SPLIT_TYPE]: type,
      };
      if (keys) headers[SPLIT_KEY] = keys[i];
      if (type === 'string') headers[SPLIT_SEPARATOR] = c.separator;
      const part: Message = {
        id: `${msg.id}:${i}`,
        topic: msg.topic,
        key: msg.key,
        payload: parts[i],
        headers,
        timestamp: msg.timestamp,
      };
      if (msg.wire) part.wire = i === 0 ? msg.wire : cloneWire(msg.wire); // each part may be changed on its own
      out.emit('out', part);
    }
  }

  return {
    handle(msg, out) {
      const v = property.evaluate(msg);
      if (isThenable(v)) return Promise.resolve(v).then((value) => emitParts(msg, value, out));
      emitParts(msg, v, out);
    },
  };
};
