/** mqtt-packet's per-packet `debug` calls cost nothing when their namespace is off (src/connectors/mqtt/quiet-debug.ts). */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { quietDisabledDebugLoggers } from '../../../src/connectors/mqtt/quiet-debug.js';

const require = createRequire(import.meta.url);
type Logger = ((...args: unknown[]) => void) & { enabled: boolean; namespace: string; extend(s: string): Logger };
type CreateDebug = ((ns: string) => Logger) & { enable(ns: string): void; disable(): string; quiet?: true };

describe('quiet debug loggers', () => {
  it('is in place for the `debug` that mqtt-packet requires', () => {
    expect(quietDisabledDebugLoggers()).toBe(true);
    const path = require.resolve('debug', { paths: [require.resolve('mqtt-packet')] });
    const createDebug = require(path) as CreateDebug;
    expect(createDebug.quiet).toBe(true);
    // What mqtt.js does with it (`__importDefault(require('debug')).default`) gets the same function.
    expect((createDebug as unknown as { default: unknown }).default).toBe(createDebug);
  });

  it('gives a no-op for a namespace DEBUG does not enable, and a real logger for one it does', () => {
    const createDebug = require(require.resolve('debug', { paths: [require.resolve('mqtt-packet')] })) as CreateDebug;
    const off = createDebug('sluice-test:off');
    expect(off.enabled).toBe(false);
    expect(off('a', 1)).toBeUndefined();
    expect(off.extend('sub').namespace).toBe('sluice-test:off:sub');
    const before = createDebug.disable();
    try {
      createDebug.enable('sluice-test:on');
      const on = createDebug('sluice-test:on');
      expect(on.enabled).toBe(true);
      expect(on.namespace).toBe('sluice-test:on');
    } finally {
      createDebug.enable(before);
    }
  });
});
