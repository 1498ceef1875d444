/** Bring an older flow document up to the current format. Isomorphic. */
import { FLOW_FORMAT, FLOW_FORMAT_PREFIX } from './document.js';
import type { Problem } from './problem.js';

export const CURRENT_FORMAT_VERSION = 1;

/** Migrations from version N to N+1, keyed by N. None yet: format 1 is the first. */
const MIGRATIONS: Record<number, (doc: Record<string, unknown>) => Record<string, unknown>> = {};

export type MigrateResult = { ok: true; flow: Record<string, unknown> } | { ok: false; problem: Problem };

export function migrateFlow(doc: Record<string, unknown>): MigrateResult {
  const format = String(doc.format);
  const version = Number(format.slice(FLOW_FORMAT_PREFIX.length));
  if (!Number.isInteger(version) || version < 1 || version > CURRENT_FORMAT_VERSION) {
    return {
      ok: false,
      problem: {
        severity: 'error',
        code: 'unknown-format-version',
        path: '/format',
        message: `unknown flow format version "${format}"; this Sluice reads ${FLOW_FORMAT}`,
        hint:
          Number.isInteger(version) && version > CURRENT_FORMAT_VERSION
            ? 'the file was written by a newer Sluice: upgrade Sluice'
            : `set "format": "${FLOW_FORMAT}"`,
      },
    };
  }
  let cur = doc;
  for (let v = version; v < CURRENT_FORMAT_VERSION; v++) cur = MIGRATIONS[v](cur);
  return { ok: true, flow: cur };
}
