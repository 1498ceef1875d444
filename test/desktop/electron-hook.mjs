// Resolves `electron` to the test double (built to SLUICE_TEST_ELECTRON_DOUBLE, a file URL), for running the built
// main process (dist/desktop/main.js) under Node.
import { register } from 'node:module';

const double = process.env.SLUICE_TEST_ELECTRON_DOUBLE;
if (!double) throw new Error('set SLUICE_TEST_ELECTRON_DOUBLE to the built electron double');
register(
  `data:text/javascript,${encodeURIComponent(`
    export async function resolve(specifier, context, next) {
      if (specifier === 'electron') return { url: ${JSON.stringify(double)}, shortCircuit: true };
      return next(specifier, context);
    }`)}`,
);
