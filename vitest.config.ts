import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Tests share real brokers and databases; files use unique topic/table names, so they may run in parallel.
    fileParallelism: true,
    maxWorkers: 2,
    reporters: ['default'],
  },
});
