import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

/**
 * `npm run test:faults`: the fault suite's long versions (SLUICE_FAULTS=long), one file at a time (each drives load
 * and faults of its own), then one table of every scenario. (mergeConfig would append to `include`, not replace it.)
 */
export default defineConfig({
  test: {
    ...base.test,
    include: ['test/faults/**/*.test.ts'],
    exclude: ['**/node_modules/**'],
    globalSetup: ['test/support/global-setup.ts', 'test/faults/print-table.ts'],
    fileParallelism: false,
    testTimeout: 1_800_000,
    hookTimeout: 120_000,
  },
});
