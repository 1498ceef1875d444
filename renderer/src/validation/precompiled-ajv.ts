/**
 * Stands in for `ajv/dist/2020.js` in the browser bundle (see vite.config.ts): `compile` returns the validator
 * generated at build time for the same schema, so no code is generated in the page (CSP without 'unsafe-eval').
 */
import { precompiled } from 'virtual:sluice-precompiled';
import { schemaKey } from '../../build/schema-key.js';

type Validate = ((data: unknown) => boolean) & { errors?: unknown[] | null };

export class Ajv2020 {
  addVocabulary(_keywords: readonly string[]): this {
    return this;
  }

  compile(schema: unknown): Validate {
    const fn = precompiled[schemaKey(schema)];
    if (!fn) {
      throw new Error(
        'this schema was not precompiled into the editor bundle: rebuild the renderer (npm run build:renderer)',
      );
    }
    return fn as Validate;
  }
}
