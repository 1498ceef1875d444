#!/usr/bin/env node
// Thin launcher: the CLI is bundled to dist/cli/ by `npm run build` (run by `prepare` on install); one file per
// command and per node runtime, so start-up loads only what is used.
import('../dist/cli/main.js').catch((err) => {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/cli/main.js')) {
    console.error('sluice: not built yet. Run `npm run build` (or `npm run build:cli`) first.');
    process.exit(70);
  }
  throw err;
});
