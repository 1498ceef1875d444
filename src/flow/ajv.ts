/** One Ajv setup for every schema Sluice validates (flow files, node configs, API bodies). Isomorphic. */
import { Ajv2020 } from 'ajv/dist/2020.js';

/** Editor annotations: allowed in schemas, ignored by validation. */
export const ANNOTATION_KEYWORDS = [
  'x-secret',
  'x-advanced',
  'x-widget',
  'x-language',
  'x-connection',
  'x-showWhen',
  'x-reference',
];

export interface SluiceAjvOptions {
  useDefaults?: boolean;
  /** Keep each compiled function's source, for `standaloneCode` (a compiled-schema cache). */
  source?: boolean;
}

export function createAjv(options: SluiceAjvOptions = {}): Ajv2020 {
  const ajv = new Ajv2020({
    allErrors: true,
    strict: true,
    strictRequired: false,
    // Assembled if/then branches discriminate on `type` without repeating `type: object`.
    strictTypes: false,
    allowUnionTypes: true,
    useDefaults: options.useDefaults ?? false,
    ...(options.source ? { code: { source: true } } : {}),
  });
  ajv.addVocabulary(ANNOTATION_KEYWORDS);
  return ajv;
}
