/**
 * mqtt-packet (under mqtt.js and the embedded broker) logs through the `debug` package several times per packet.
 * A disabled `debug` logger still gathers its arguments into an array on every call (its `...args`): measured, ~14%
 * of all the memory an MQTT flow allocates, which the garbage collector then has to clear. So, before mqtt-packet
 * creates its loggers, loggers of namespaces that DEBUG does not enable become no-ops. With DEBUG set (e.g.
 * `DEBUG=mqtt-packet:*`) those namespaces log as before.
 *
 * Import this module before 'mqtt' or 'aedes' in every module that loads them: mqtt-packet creates its loggers once,
 * when it is first required.
 */
import { createRequire } from 'node:module';

type Logger = ((...args: unknown[]) => void) & { enabled: boolean; namespace: string; extend?: unknown };
type CreateDebug = ((namespace: string) => Logger) & { enabled(namespace: string): boolean; quiet?: true };

const require = createRequire(import.meta.url);

/** Replaces the `debug` export in require's cache; returns false when `debug` is not where mqtt-packet finds it. */
export function quietDisabledDebugLoggers(): boolean {
  let path: string;
  try {
    path = require.resolve('debug', { paths: [require.resolve('mqtt-packet')] });
  } catch {
    return false;
  }
  const original = require(path) as CreateDebug;
  const cached = require.cache[path];
  if (original.quiet || !cached) return Boolean(original.quiet);
  const quiet = ((namespace: string): Logger => {
    if (original.enabled(namespace)) return original(namespace);
    const noop = (() => {}) as Logger;
    noop.enabled = false;
    noop.namespace = namespace;
    noop.extend = (sub: string, delimiter = ':') => quiet(`${namespace}${delimiter}${sub}`);
    return noop;
  }) as CreateDebug;
  // enable/disable/formatters/... stay the package's own.
  Object.assign(quiet, original, { quiet: true as const });
  Object.assign(quiet, { debug: quiet, default: quiet });
  cached.exports = quiet;
  return true;
}

quietDisabledDebugLoggers();
