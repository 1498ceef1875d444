/**
 * The editor's flow validator, loaded on first use. Its Ajv code, generated at build time for every node's schema
 * (renderer/build/precompiled-validators.ts), is most of the editor's script: kept out of the first chunk, the page
 * parses half as much before it can draw a flow, and problems appear a moment after the flow does.
 */
import type { ValidateFunction } from 'ajv/dist/2020.js';
import { createFlowValidator, type FlowValidator } from '../../../src/flow/index.js';
import { schemaKey } from '../../build/schema-key.js';
import { catalog } from '../model/catalog.js';

let loading: Promise<FlowValidator> | undefined;

export function loadFlowValidator(): Promise<FlowValidator> {
  loading ??= import('virtual:sluice-precompiled').then(({ precompiled }) =>
    createFlowValidator(catalog, {
      compileSchema(schema) {
        const fn = precompiled[schemaKey(schema)];
        if (!fn)
          throw new Error('this schema was not precompiled into the editor: rebuild it (npm run build:renderer)');
        return fn as ValidateFunction;
      },
    }),
  );
  // A chunk that failed to load (the server restarted with a new build) is asked for again next time.
  loading.catch(() => {
    loading = undefined;
  });
  return loading;
}
