/**
 * How far V8 lets the heap grow past what survived the last full collection, for the long-running commands.
 *
 * A flow keeps little alive (its in-flight messages, a few MB) but allocates fast, and in-flight messages live long
 * enough to reach the old generation. V8 then grows the old generation by a factor of up to 4 between full
 * collections when the machine has memory to spare: on the end-to-end benchmark (MQTT -> Kafka, full speed) a Sluice
 * process held a 100-150 MB heap and ~210 MB resident. Growth capped at 75%: ~85 MB heap, ~145 MB resident, at about
 * the same CPU. 50% saved a little more memory but cost ~15% more CPU and longer GC pauses (p99 latency).
 *
 * `--heap-growing-percent` is read at every full collection, so setting it once the process runs takes effect
 * (unlike `--max-old-space-size`, fixed when V8 starts; that one can still be given in NODE_OPTIONS).
 * SLUICE_HEAP_GROWING_PERCENT overrides the value; 0 leaves V8's own heuristics.
 */
import { setFlagsFromString } from 'node:v8';

export const DEFAULT_HEAP_GROWING_PERCENT = 75;

/** Applies the limit; returns the percentage applied, or undefined when V8's default is left in place. */
export function limitHeapGrowth(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const raw = env.SLUICE_HEAP_GROWING_PERCENT?.trim();
  const percent = raw ? Number(raw) : DEFAULT_HEAP_GROWING_PERCENT;
  if (!Number.isInteger(percent) || percent < 0 || percent > 1000) {
    throw new Error(`SLUICE_HEAP_GROWING_PERCENT must be a whole number from 0 to 1000, not "${raw}"`);
  }
  if (percent === 0) return undefined;
  setFlagsFromString(`--heap-growing-percent=${percent}`);
  return percent;
}
