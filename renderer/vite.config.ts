/**
 * Builds the editor into renderer/dist (served by `sluice serve`). Everything is bundled: no CDN, and no
 * runtime code generation (flow validation is precompiled, see build/precompiled-validators.ts).
 */
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, type UserConfig } from 'vite';
import { precompiledValidators } from './build/precompiled-validators.js';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

const config: UserConfig = {
  root: here('.'),
  base: './',
  plugins: [react(), precompiledValidators()],
  resolve: {
    alias: [
      // src/flow compiles the flow schema with Ajv; in the browser the precompiled validator stands in.
      { find: /^ajv\/dist\/2020(\.js)?$/, replacement: here('src/validation/precompiled-ajv.ts') },
    ],
  },
  build: {
    outDir: here('dist'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    // elkjs is ~1.5 MB but loaded only when the user asks for a layout.
    chunkSizeWarningLimit: 2000,
  },
};

export default defineConfig(({ command, mode }) => {
  // React (and the JSX transform) pick their build by NODE_ENV, which Vite takes from the environment when it is set:
  // built under vitest (NODE_ENV=test), by `npm pack` from a test say, the editor shipped React's development build.
  // Vite reads NODE_ENV after loading this file (its documented place to set it); `--mode development` keeps
  // the environment's, so `NODE_ENV=development vite build --mode development` is a development build.
  if (command === 'build' && mode !== 'development') process.env.NODE_ENV = 'production';
  return config;
});
