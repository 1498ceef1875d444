/**
 * `npm run bench`: runs every scenario in bench/scenarios (or those named on the command line) and prints figures.
 * Scenarios that need an absent service report why and are skipped; nothing here asserts a speed.
 */
import { readdirSync } from 'node:fs';
import { type BenchResult, printResults } from './types.js';

const dir = new URL('./scenarios/', import.meta.url);
const wanted = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.ts'))
  .filter((f) => wanted.length === 0 || wanted.includes(f.replace(/\.ts$/, '')))
  .sort((a, b) => (a === 'engine.ts' ? -1 : b === 'engine.ts' ? 1 : a.localeCompare(b)));

console.log(`Sluice benchmarks: node ${process.version}, ${new Date().toISOString()}`);
for (const file of files) {
  const mod = (await import(new URL(file, dir).href)) as { run?: () => Promise<BenchResult[]> };
  if (typeof mod.run !== 'function') continue;
  try {
    printResults(file.replace(/\.ts$/, ''), await mod.run());
  } catch (err) {
    console.log(`\n## ${file.replace(/\.ts$/, '')}\n  skipped: ${err instanceof Error ? err.message : String(err)}`);
  }
}
process.exit(0);
