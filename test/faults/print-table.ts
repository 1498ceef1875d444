/**
 * Global setup of `npm run test:faults` (vitest.faults.config.ts): starts the results file empty, and at the end
 * prints one table of every scenario of the run.
 */
import { clearResults, formatTable, readResults } from './harness.js';

export function setup(): void {
  clearResults();
}

export function teardown(): void {
  const rows = readResults();
  console.log(`\nFault suite, long versions (${rows.length} scenarios)\n${formatTable(rows)}\n`);
}
