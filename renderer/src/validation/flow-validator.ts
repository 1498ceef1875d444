/**
 * The editor's flow validator, in a chunk of its own that validation/watch.ts loads once the canvas is drawn. Its Ajv
 * code, generated at build time for every node's schema (renderer/build/precompiled-validators.ts), and the JSONata
 * parser the expression checks use are more than half of the editor's script: kept out of the first chunk, the page
 * parses half as much before it can draw a flow, and problems appear a moment after the flow does.
 */

import { precompiled } from 'virtual:sluice-precompiled';
import type { ValidateFunction } from 'ajv/dist/2020.js';
import { createFlowValidator, type FlowValidator } from '../../../src/flow/index.js';
import { schemaKey } from '../../build/schema-key.js';
import { catalog } from '../model/catalog.js';

export const flowValidator: FlowValidator = createFlowValidator(catalog, {
  compileSchema(schema) {
    const fn = precompiled[schemaKey(schema)];
    if (!fn) throw new Error('this schema was not precompiled into the editor: rebuild it (npm run build:renderer)');
    return fn as ValidateFunction;
  },
});
