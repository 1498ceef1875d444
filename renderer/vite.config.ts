/**
 * Builds the editor into renderer/dist (served by `sluice serve`). Everything is bundled: no CDN, and no
 * runtime code generation (flow validation is precompiled, see build/precompiled-validators.ts).
 */
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { precompiledValidators } from './build/precompiled-validators.js';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
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
});
