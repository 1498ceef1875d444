import { tmpdir } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['**/node_modules/**'],
    globalSetup: ['test/support/global-setup.ts'],
    // Tests keep their SQLite files in temporary directories, outside the data directory (the working directory).
    env: { SLUICE_SQLITE_DIRS: tmpdir() },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Tests share real brokers and databases; files use unique topic/table names, so they may run in parallel.
    fileParallelism: true,
    maxWorkers: 2,
    reporters: ['default'],
  },
});
