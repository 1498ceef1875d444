/** Bring an older flow document up to the current format. Isomorphic. */
import type { Catalog } from '../spec/node-definition.js';
import { FLOW_FORMAT, FLOW_FORMAT_PREFIX } from './document.js';
import type { Problem } from './problem.js';

export const CURRENT_FORMAT_VERSION = 1;

/** Migrations from version N to N+1, keyed by N. None yet: format 1 is the first. */
const MIGRATIONS: Record<number, (doc: Record<string, unknown>) => Record<string, unknown>> = {};

export type MigrateResult =
  | {
      ok: true;
      flow: Record<string, unknown>;
      /** Warnings about what was changed on the way (renamed settings). */
      problems: Problem[];
    }
  | { ok: false; problem: Problem };

export interface RenamedSettings {
  nodes: Record<string, Readonly<Record<string, string>>>;
  connections: Record<string, Readonly<Record<string, string>>>;
}

/**
 * Settings renamed, by node type and connection kind (old name -> new name), as each definition declares them in its
 * `renamed` map. A flow that still uses an old name loads with the new one and a warning.
 */
export function renamedSettings(catalog: Catalog): RenamedSettings {
  const out: RenamedSettings = { nodes: {}, connections: {} };
  for (const n of catalog.nodes) if (n.renamed) out.nodes[n.type] = n.renamed;
  for (const c of catalog.connections) if (c.renamed) out.connections[c.kind] = c.renamed;
  return out;
}

const cachedRenames = new WeakMap<Catalog, RenamedSettings>();

/** `catalog`: where renamed settings are declared; without it only the format and the flow settings migrate. */
export function migrateFlow(doc: Record<string, unknown>, catalog?: Catalog): MigrateResult {
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
  let renames: RenamedSettings | undefined;
  if (catalog) {
    renames = cachedRenames.get(catalog);
    if (!renames) {
      renames = renamedSettings(catalog);
      cachedRenames.set(catalog, renames);
    }
  }
  const renamed = renames ? renameSettings(cur, renames) : { ok: true as const, flow: cur, problems: [] };
  const policy = migrateOnError(renamed.flow);
  return policy ? { ok: true, flow: policy.flow, problems: [...renamed.problems, policy.problem] } : renamed;
}

/**
 * `settings.onError: "nack"` (the old default) redelivered every failure no route took, even a message that can never
 * succeed, forever (a poison message stalled the flow). It loads as "drop": transient failures are still nacked and
 * redelivered; deterministic ones are logged and dropped. The input is never changed.
 */
function migrateOnError(doc: Record<string, unknown>): { flow: Record<string, unknown>; problem: Problem } | undefined {
  const settings = doc.settings;
  if (!isObject(settings) || settings.onError !== 'nack') return undefined;
  return {
    flow: { ...doc, settings: { ...settings, onError: 'drop' } },
    problem: {
      severity: 'warning',
      code: 'migrated-setting',
      path: '/settings/onError',
      message:
        'onError "nack" is now "drop": a message that fails because a service is down is still nacked and redelivered; one that can never succeed (bad payload, expression error, refused row) is logged and dropped instead of redelivered forever',
      hint: 'write "onError": "drop", and add an error route (settings.errorRoute) to keep failed messages',
    },
  };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Applies the renames (to the flow's nodes and connections and to the nodes inside its subflows). The input is never
 * changed: a list or item that changes is copied. */
function renameSettings(doc: Record<string, unknown>, all: RenamedSettings): MigrateResult & { ok: true } {
  const problems: Problem[] = [];
  let out = doc;
  for (const list of ['nodes', 'connections'] as const) {
    const copy = renameInList(doc[list], list, `/${list}`, all, problems);
    if (copy) {
      if (out === doc) out = { ...doc };
      out[list] = copy;
    }
  }
  const subflows = doc.subflows;
  if (Array.isArray(subflows)) {
    let copied: unknown[] | undefined;
    subflows.forEach((sub, i) => {
      if (!isObject(sub)) return;
      const nodes = renameInList(sub.nodes, 'nodes', `/subflows/${i}/nodes`, all, problems);
      if (!nodes) return;
      copied ??= subflows.slice();
      copied[i] = { ...sub, nodes };
    });
    if (copied) {
      if (out === doc) out = { ...doc };
      out.subflows = copied;
    }
  }
  return { ok: true, flow: out, problems };
}

/** The list with renamed settings applied, or undefined when nothing in it changes. */
function renameInList(
  items: unknown,
  list: 'nodes' | 'connections',
  at: string,
  all: RenamedSettings,
  problems: Problem[],
): unknown[] | undefined {
  if (!Array.isArray(items)) return undefined;
  let copy: unknown[] | undefined;
  items.forEach((item, i) => {
    if (!isObject(item) || !isObject(item.config)) return;
    const what = list === 'nodes' ? item.type : item.kind;
    const renames = typeof what === 'string' && Object.hasOwn(all[list], what) ? all[list][what] : undefined;
    if (!renames) return;
    let config: Record<string, unknown> | undefined;
    for (const [old, now] of Object.entries(renames)) {
      if (!Object.hasOwn(item.config, old)) continue;
      config ??= { ...item.config };
      const both = Object.hasOwn(config, now);
      if (!both) config[now] = config[old];
      delete config[old];
      problems.push({
        severity: 'warning',
        code: 'renamed-setting',
        path: `${at}/${i}/config/${now}`,
        ...(typeof item.id === 'string' ? { [list === 'nodes' ? 'nodeId' : 'connectionId']: item.id } : {}),
        message: both
          ? `${old} was renamed to ${now}; both are set, so ${old} is ignored`
          : `${old} was renamed to ${now}`,
        hint: `write "${now}" instead of "${old}": the old name will stop working in a later version`,
      });
    }
    if (!config) return;
    copy ??= items.slice();
    copy[i] = { ...item, config };
  });
  return copy;
}
