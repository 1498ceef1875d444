import { tmpdir } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Lost messages when run beside other files on a loaded machine (510 of 1,500 once): a known gap of sparkplug-in's
    // restart path, tracked in the issue; it runs alone in the serial fault suite (npm run test:faults).
    exclude: ['**/node_modules/**', 'test/faults/sparkplug-to-postgres.test.ts'],
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
