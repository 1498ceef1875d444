import type { Static } from '../../src/spec/index.js';
import type { CreateRuntime } from '../../src/spec/runtime-contract.js';
import type { json } from './definition.js';

type Config = Static<typeof json.config>;

const decoder = new TextDecoder('utf-8', { fatal: true });

function asText(payload: unknown): string | undefined {
  if (typeof payload === 'string') return payload;
  if (payload instanceof Uint8Array) return decoder.decode(payload);
  return undefined;
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    const sample = text.length > 80 ? `${text.slice(0, 80)}...` : text;
    throw new Error(`payload is not valid JSON: ${reason} (payload: ${JSON.stringify(sample)})`);
  }
}

export const create: CreateRuntime<Config> = (ctx) => {
  const indent = ctx.config.pretty ? 2 : undefined;
  const action = ctx.config.action;
  return {
    handle(msg, out) {
      const text = asText(msg.payload);
      let payload: unknown;
      if (action === 'serialize' && msg.payload instanceof Uint8Array) {
        throw new Error(
          'payload is bytes, not a value: parse it first (action parse) or use a json/text codec at the source',
        );
      }
      if (action === 'parse') payload = text === undefined ? msg.payload : parse(text);
      else if (action === 'serialize') payload = JSON.stringify(msg.payload, null, indent) ?? 'null';
      else payload = text === undefined ? (JSON.stringify(msg.payload, null, indent) ?? 'null') : parse(text);
      out.emit('out', { ...msg, payload });
    },
  };
};
