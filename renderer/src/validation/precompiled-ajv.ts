/**
 * Stands in for `ajv/dist/2020.js` in the browser bundle (see vite.config.ts), so that Ajv's compiler is not bundled
 * and no code is generated in the page (CSP without 'unsafe-eval'). The editor's validators are generated at build
 * time and loaded with flow-validator.ts; nothing may compile a schema in the page.
 */
type Validate = ((data: unknown) => boolean) & { errors?: unknown[] | null };

export class Ajv2020 {
  addVocabulary(_keywords: readonly string[]): this {
    return this;
  }

  compile(_schema: unknown): Validate {
    throw new Error(
      'the editor compiles no schema: use loadFlowValidator() (renderer/src/validation/flow-validator.ts)',
    );
  }
}
