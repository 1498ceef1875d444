/**
 * Flow validation: one entry point for editor, CLI and runtime. Every problem names the JSON pointer,
 * the node or connection id where there is one, and a fix.
 */
import type { ValidateFunction } from 'ajv/dist/2020.js';
import { checkExpression } from '../expr/index.js';
import { templateProblem } from '../expr/template.js';
import { type Catalog, ERROR_PORT, findNodeType, outputPorts } from '../spec/node-definition.js';
import { createAjv } from './ajv.js';
import { edgeId, FLOW_FORMAT, FLOW_FORMAT_PREFIX, type FlowDocument, type FlowEdge } from './document.js';
import { failureFateProblem } from './failure-fate.js';
import { assembleFlowSchema } from './flow-schema.js';
import { findCycle } from './graph.js';
import { heldBoundProblems } from './held-bound.js';
import { migrateFlow } from './migrate.js';
import { organiseProblems } from './organise.js';
import { parseFlowText } from './parse.js';
import { hasErrors, type Problem } from './problem.js';
import { isWholeReference, strayReferences } from './references.js';
import { explainSchemaErrors } from './schema-errors.js';
import { findAnnotated } from './schema-walk.js';
import { expandSubflows, type SubflowExpansion, usesSubflows } from './subflow.js';
import { closest } from './suggest.js';

export interface ValidationResult {
  problems: Problem[];
  /** The (migrated) document when it parsed as an object, even if it has problems. */
  flow?: FlowDocument;
}

export interface FlowValidator {
  readonly catalog: Catalog;
  readonly schema: Record<string, unknown>;
  validate(input: unknown): ValidationResult;
  /**
   * A flow file as a user checks it (`sluice validate`, `run`, `check`): validate() plus info-level problems that
   * say how the flow will behave (what becomes of a failed message).
   */
  validateText(text: string): ValidationResult;
}

const validators = new WeakMap<Catalog, FlowValidator>();

export interface FlowValidatorOptions {
  /**
   * Compiles the flow schema (with `useDefaults`). Default: Ajv in memory. Node-side callers may pass a cached
   * compile (src/runtime/schema-cache.ts): compiling the whole catalogue's schema is most of a cold start.
   * The first validator created for a catalogue is the one every later caller gets.
   */
  compileSchema?: (schema: Record<string, unknown>) => ValidateFunction;
}

export function createFlowValidator(catalog: Catalog, options: FlowValidatorOptions = {}): FlowValidator {
  const cached = validators.get(catalog);
  if (cached) return cached;
  const schema = assembleFlowSchema(catalog);
  let compiled: ValidateFunction | undefined;
  const v: FlowValidator = {
    catalog,
    schema,
    validate(input) {
      // Defaults fill a copy, so a field with a default may be left out of the file.
      compiled ??= options.compileSchema
        ? options.compileSchema(schema)
        : createAjv({ useDefaults: true }).compile(schema);
      return validateFlow(input, catalog, compiled);
    },
    validateText(text) {
      const parsed = parseFlowText(text);
      if (!parsed.ok) return { problems: [parsed.problem] };
      const result = v.validate(parsed.value);
      return withInfo(result, catalog);
    },
  };
  validators.set(catalog, v);
  return v;
}

/** Adds the info problems (see validateText) to a result whose flow has no errors. */
export function withInfo(result: ValidationResult, catalog: Catalog): ValidationResult {
  if (!result.flow || hasErrors(result.problems)) return result;
  const fate = failureFateProblem(expandSubflows(result.flow).flow, catalog);
  return fate ? { ...result, problems: [...result.problems, fate] } : result;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkFormat(input: Record<string, unknown>): Problem | undefined {
  const format = input.format;
  if (typeof format !== 'string') {
    return {
      severity: 'error',
      code: 'missing-format',
      path: '/format',
      message: 'missing "format": this does not look like a Sluice flow',
      hint: `add "format": "${FLOW_FORMAT}" at the top of the file`,
    };
  }
  if (!format.startsWith(FLOW_FORMAT_PREFIX)) {
    return {
      severity: 'error',
      code: 'unknown-format',
      path: '/format',
      message: `unknown format "${format}"`,
      hint: `a Sluice flow has "format": "${FLOW_FORMAT}"`,
    };
  }
  return undefined;
}

function validateFlow(input: unknown, catalog: Catalog, compiled: ValidateFunction): ValidationResult {
  if (!isObject(input)) {
    return {
      problems: [
        {
          severity: 'error',
          code: 'not-an-object',
          path: '',
          message: 'a flow file must hold a JSON object',
          hint: `start from an example: { "format": "${FLOW_FORMAT}", "nodes": [], "edges": [] }`,
        },
      ],
    };
  }
  const formatProblem = checkFormat(input);
  if (formatProblem) return { problems: [formatProblem] };
  const migrated = migrateFlow(input, catalog);
  if (!migrated.ok) return { problems: [migrated.problem] };
  const doc = migrated.flow;

  // Renamed settings were renamed above (with a warning each), before the schema sees them.
  const problems: Problem[] = [...migrated.problems];
  const nodes = Array.isArray(doc.nodes) ? doc.nodes : [];
  const connections = Array.isArray(doc.connections) ? doc.connections : [];
  const idAt = (path: string): { nodeId?: string; connectionId?: string } => {
    const n = /^\/nodes\/(\d+)/.exec(path);
    if (n) return { nodeId: strId(nodes[Number(n[1])]) };
    const c = /^\/connections\/(\d+)/.exec(path);
    if (c) return { connectionId: strId(connections[Number(c[1])]) };
    return {};
  };

  // The copy gets the schema defaults: lint rules and port lists see the config as the runtime will.
  const withDefaults = structuredClone(doc);
  if (!compiled(withDefaults)) {
    for (const l of explainSchemaErrors(compiled.errors ?? [], doc)) {
      problems.push({ severity: 'error', code: 'schema', ...l, ...idAt(l.path) });
    }
  }
  // Structural errors make the semantic checks below unreliable; stop on broken shapes only (lists that are not
  // lists, list items that are not objects), which the schema problems above already name.
  const listOk = (v: unknown, required: boolean) =>
    v === undefined ? !required : Array.isArray(v) && v.every((item) => isObject(item));
  const settingsOk = doc.settings === undefined || isObject(doc.settings);
  if (!listOk(doc.nodes, true) || !listOk(doc.edges, false) || !listOk(doc.connections, false) || !settingsOk) {
    return { problems, flow: doc as FlowDocument };
  }
  const flow = doc as FlowDocument;
  // Comments and groups are checked on the flow as written (a group may hold a subflow's use).
  if (listOk(doc.comments, false) && listOk(doc.groups, false)) problems.push(...organiseProblems(flow));
  if (!usesSubflows(flow)) {
    problems.push(...semanticProblems(flow, catalog, withDefaults as FlowDocument, invalidConfigs(problems)));
    problems.push(...heldBoundProblems(flow, catalog, withDefaults as FlowDocument));
    return { problems, flow };
  }
  // The checks run on the flow as the engine runs it (subflows expanded), and point back into the subflow.
  const subflowsOk =
    listOk(doc.subflows, false) &&
    (doc.subflows as Record<string, unknown>[] | undefined)?.every(
      (s) => listOk(s.nodes, true) && listOk(s.edges, false),
    ) !== false;
  if (!subflowsOk) return { problems, flow };
  const expanded = expandSubflows(flow);
  const filled = expandSubflows(withDefaults as FlowDocument).flow;
  problems.push(...expanded.problems);
  const invalid = invalidConfigs(problems);
  // A subflow's node copies carry their origin's schema problems: translate the set to the expanded indices.
  const invalidExpanded = new Set(
    expanded.nodeOrigins.flatMap((origin, i) => (invalid.has(origin.slice(1)) ? [`nodes/${i}`] : [])),
  );
  for (const c of invalid) if (c.startsWith('connections/')) invalidExpanded.add(c);
  for (const p of semanticProblems(expanded.flow, catalog, filled, invalidExpanded))
    problems.push(pointIntoSubflow(p, expanded));
  for (const p of heldBoundProblems(expanded.flow, catalog, filled)) problems.push(pointIntoSubflow(p, expanded));
  return { problems, flow };
}

/** A problem found on the expanded flow, with its path moved to the node or edge it copies. */
function pointIntoSubflow(p: Problem, expanded: SubflowExpansion): Problem {
  const m = /^\/(nodes|edges)\/(\d+)(.*)$/.exec(p.path);
  if (!m) return p;
  const i = Number(m[2]);
  const edge = expanded.edgeOrigins[i];
  const origin = m[1] === 'nodes' ? expanded.nodeOrigins[i] : m[3].startsWith('/target') ? edge?.target : edge?.source;
  return origin === undefined ? p : { ...p, path: `${origin}${m[3]}` };
}

function isWellFormedEdge(e: unknown): e is FlowEdge {
  return (
    isObject(e) &&
    typeof e.source === 'string' &&
    typeof e.sourcePort === 'string' &&
    typeof e.target === 'string' &&
    typeof e.targetPort === 'string'
  );
}

function strId(v: unknown): string | undefined {
  return isObject(v) && typeof v.id === 'string' ? v.id : undefined;
}

/**
 * The configs (`nodes/3`, `connections/0`, `subflows/1/nodes/2`) that failed their schema: their lint rules are not
 * run, since a lint is written for a config of the right shape (the schema problems already say what is wrong).
 */
function invalidConfigs(problems: readonly Problem[]): Set<string> {
  const out = new Set<string>();
  for (const p of problems) {
    if (p.code !== 'schema') continue;
    const m = /^\/((?:subflows\/\d+\/)?(?:nodes|connections)\/\d+)\/config(?:\/|$)/.exec(p.path);
    if (m) out.add(m[1]);
  }
  return out;
}

function semanticProblems(
  flow: FlowDocument,
  catalog: Catalog,
  filled: FlowDocument,
  invalid: ReadonlySet<string> = new Set(),
): Problem[] {
  const filledConfig = (list: 'nodes' | 'connections', i: number): Record<string, unknown> => {
    const item = (filled[list] ?? [])[i] as { config?: unknown } | undefined;
    return isObject(item?.config) ? item.config : {};
  };
  const problems: Problem[] = [];
  const add = (p: Omit<Problem, 'severity'> & { severity?: Problem['severity'] }) =>
    problems.push({ severity: 'error', ...p });

  // Duplicate ids.
  const nodeIndex = new Map<string, number>();
  flow.nodes.forEach((n, i) => {
    if (typeof n?.id !== 'string') return;
    if (nodeIndex.has(n.id)) {
      add({
        code: 'duplicate-id',
        path: `/nodes/${i}/id`,
        nodeId: n.id,
        message: `node id "${n.id}" is used twice (also at /nodes/${nodeIndex.get(n.id)})`,
        hint: 'give each node its own id',
      });
    } else nodeIndex.set(n.id, i);
  });
  const connIndex = new Map<string, number>();
  (flow.connections ?? []).forEach((c, i) => {
    if (typeof c?.id !== 'string') return;
    if (connIndex.has(c.id)) {
      add({
        code: 'duplicate-id',
        path: `/connections/${i}/id`,
        connectionId: c.id,
        message: `connection id "${c.id}" is used twice`,
        hint: 'give each connection its own id',
      });
    } else connIndex.set(c.id, i);
    if (typeof c?.kind === 'string' && !catalog.connections.some((k) => k.kind === c.kind)) {
      const guess = closest(
        c.kind,
        catalog.connections.map((k) => k.kind),
      );
      add({
        code: 'unknown-connection-kind',
        path: `/connections/${i}/kind`,
        connectionId: c.id,
        message: `unknown connection kind "${c.kind}"`,
        hint: guess
          ? `did you mean "${guess}"?`
          : `use one of: ${catalog.connections.map((k) => k.kind).join(', ') || '(none installed)'}`,
      });
    }
    const kind = catalog.connections.find((k) => k.kind === c?.kind);
    if (kind && isObject(c.config)) {
      secretProblems(kind.config, c.config, `/connections/${i}/config`, { connectionId: c.id }, kind.kind, add);
      const lints = invalid.has(`connections/${i}`) ? [] : safeLint(kind.lint, filledConfig('connections', i));
      for (const issue of lints) {
        add({
          severity: issue.severity ?? 'error',
          code: 'lint',
          path: `/connections/${i}/config${issue.path}`,
          connectionId: c.id,
          message: issue.message,
          hint: issue.hint,
        });
      }
    }
  });

  // Node types, config-level rules.
  flow.nodes.forEach((n, i) => {
    if (typeof n?.type !== 'string') return;
    const def = findNodeType(catalog, n.type);
    if (!def) {
      const guess = closest(
        n.type,
        catalog.nodes.map((d) => d.type),
      );
      add({
        code: 'unknown-node-type',
        path: `/nodes/${i}/type`,
        nodeId: n.id,
        message: `unknown node type "${n.type}"`,
        hint: guess ? `did you mean "${guess}"? (\`sluice nodes\` lists them)` : '`sluice nodes` lists the node types',
      });
      return;
    }
    if (!isObject(n.config)) return;
    secretProblems(def.config, n.config, `/nodes/${i}/config`, { nodeId: n.id }, def.type, add);
    for (const pointer of strayReferences(def.config, n.config)) {
      add({
        severity: 'warning',
        code: 'reference-not-resolved',
        path: `/nodes/${i}/config${pointer}`,
        nodeId: n.id,
        message: 'this field does not resolve ${env:...}/${file:...} references: the text stays as written',
        hint: 'references resolve only in secret fields, connection settings and fields such as topics and tables',
      });
    }
    for (const ref of findAnnotated(def.config, n.config, 'x-connection')) {
      const wanted = String(ref.schema['x-connection']);
      const path = `/nodes/${i}/config${ref.pointer}`;
      if (typeof ref.value !== 'string') continue;
      const ci = connIndex.get(ref.value);
      const conn = ci === undefined ? undefined : flow.connections?.[ci];
      if (!conn) {
        const ofKind = (flow.connections ?? []).filter((c) => c.kind === wanted).map((c) => c.id);
        add({
          code: 'unknown-connection',
          path,
          nodeId: n.id,
          message: `connection "${ref.value}" does not exist`,
          hint: ofKind.length
            ? `use one of the flow's ${wanted} connections: ${ofKind.join(', ')}`
            : `add a "${wanted}" connection with id "${ref.value}" under "connections"`,
        });
      } else if (conn.kind !== wanted) {
        add({
          code: 'wrong-connection-kind',
          path,
          nodeId: n.id,
          message: `connection "${ref.value}" is a ${conn.kind} connection, but this field needs ${wanted}`,
          hint: `point it at a ${wanted} connection`,
        });
      }
    }
    for (const expr of findAnnotated(def.config, n.config, 'x-language')) {
      if (expr.schema['x-language'] !== 'jsonata' || typeof expr.value !== 'string') continue;
      const bad = checkExpression(expr.value);
      if (bad) {
        add({
          code: 'expression-syntax',
          path: `/nodes/${i}/config${expr.pointer}`,
          nodeId: n.id,
          message: `the JSONata expression does not parse: ${bad.message}${bad.position === undefined ? '' : ` (at character ${bad.position})`}`,
          hint: 'fix the expression syntax (try it at the character named)',
        });
      }
    }
    for (const t of findAnnotated(def.config, n.config, 'x-widget')) {
      if (t.schema['x-widget'] !== 'template' || typeof t.value !== 'string') continue;
      const bad = templateProblem(t.value);
      if (bad) {
        add({
          code: 'template-syntax',
          path: `/nodes/${i}/config${t.pointer}`,
          nodeId: n.id,
          message: `the template does not parse: ${bad}`,
          hint: 'write literal text with {{ }} parts, each a JSONata expression, e.g. sensors/{{payload.device}}',
        });
      }
    }
    const lints = invalid.has(`nodes/${i}`) ? [] : safeLint(def.lint, filledConfig('nodes', i));
    for (const issue of lints) {
      add({
        severity: issue.severity ?? 'error',
        code: 'lint',
        path: `/nodes/${i}/config${issue.path}`,
        nodeId: n.id,
        message: issue.message,
        hint: issue.hint,
      });
    }
  });

  // Edges: endpoints and ports.
  const seenEdges = new Set<string>();
  const connectedInputs = new Set<string>();
  (flow.edges ?? []).forEach((e, i) => {
    // An edge without its four names is already reported by the schema; it has no endpoints to check.
    if (!isWellFormedEdge(e)) return;
    const path = `/edges/${i}`;
    const id = edgeId(e);
    if (seenEdges.has(id)) {
      add({ code: 'duplicate-edge', path, message: `edge ${id} appears twice`, hint: 'remove the duplicate edge' });
    }
    seenEdges.add(id);
    const src = flow.nodes[nodeIndex.get(e.source) ?? -1];
    const dst = flow.nodes[nodeIndex.get(e.target) ?? -1];
    if (!src) {
      add({
        code: 'dangling-edge',
        path: `${path}/source`,
        message: `edge ${id} starts at node "${e.source}", which does not exist`,
        hint: 'remove the edge or fix its source id',
      });
    }
    if (!dst) {
      add({
        code: 'dangling-edge',
        path: `${path}/target`,
        message: `edge ${id} ends at node "${e.target}", which does not exist`,
        hint: 'remove the edge or fix its target id',
      });
    }
    const srcDef = src && findNodeType(catalog, src.type);
    if (src && srcDef) {
      const ports = outputPorts(srcDef, filledConfig('nodes', nodeIndex.get(e.source) ?? -1)).map((p) => p.name);
      if (!ports.includes(e.sourcePort)) {
        add({
          code: 'unknown-port',
          path: `${path}/sourcePort`,
          nodeId: src.id,
          message: `node "${src.id}" (${src.type}) has no output port "${e.sourcePort}"`,
          hint: `use one of its outputs: ${ports.join(', ')}`,
        });
      }
    }
    const dstDef = dst && findNodeType(catalog, dst.type);
    if (dst && dstDef) {
      const ports = dstDef.inputs.map((p) => p.name);
      if (!ports.includes(e.targetPort)) {
        add({
          code: 'unknown-port',
          path: `${path}/targetPort`,
          nodeId: dst.id,
          message: ports.length
            ? `node "${dst.id}" (${dst.type}) has no input port "${e.targetPort}"`
            : `node "${dst.id}" (${dst.type}) is a source and takes no input`,
          hint: ports.length ? `use one of its inputs: ${ports.join(', ')}` : 'remove this edge',
        });
      } else connectedInputs.add(`${dst.id}\u0000${e.targetPort}`);
    }
  });

  // Required inputs.
  const errorRoute = flow.settings?.errorRoute;
  flow.nodes.forEach((n, i) => {
    const def = n && findNodeType(catalog, n.type);
    if (!def) return;
    for (const port of def.inputs) {
      if (port.required && !connectedInputs.has(`${n.id}\u0000${port.name}`) && n.id !== errorRoute) {
        add({
          code: 'unconnected-input',
          path: `/nodes/${i}`,
          nodeId: n.id,
          message: `input "${port.name}" of node "${n.id}" is not connected`,
          hint: `connect an output to it, or remove the node`,
        });
      }
    }
  });

  if (errorRoute !== undefined) {
    const target = flow.nodes[nodeIndex.get(errorRoute) ?? -1];
    const def = target && findNodeType(catalog, target.type);
    if (!target) {
      add({
        code: 'unknown-error-route',
        path: '/settings/errorRoute',
        message: `the error route names node "${errorRoute}", which does not exist`,
        hint: 'name an existing node with an input (a debug node or a sink), or remove the setting',
      });
    } else if (def && def.inputs.length === 0) {
      add({
        code: 'bad-error-route',
        path: '/settings/errorRoute',
        nodeId: target.id,
        message: `the error route names node "${errorRoute}", a source with no input`,
        hint: 'name a node that takes input (a debug node or a sink)',
      });
    }
  }

  const cycle = findCycle(flow);
  if (cycle) {
    const i = nodeIndex.get(cycle[0]) ?? 0;
    add({
      code: 'cycle',
      path: `/nodes/${i}`,
      nodeId: cycle[0],
      message: `the flow has a cycle: ${cycle.join(' -> ')}`,
      hint: 'remove one of the edges in the cycle; flows must be acyclic',
    });
  }
  return problems;
}

function secretProblems(
  schema: unknown,
  config: Record<string, unknown>,
  base: string,
  where: { nodeId?: string; connectionId?: string },
  /** The connection kind or node type, so the example names this service (`POSTGRES_PASSWORD`), not another. */
  owner: string,
  add: (p: Omit<Problem, 'severity'>) => void,
): void {
  for (const s of findAnnotated(schema, config, 'x-secret')) {
    if (s.value === '' || s.value === null || isWholeReference(s.value)) continue;
    const field = s.pointer.split('/').pop() ?? 'secret';
    const envName = `${owner}_${field}`.replace(/[^A-Za-z0-9]+/g, '_').toUpperCase();
    const fileName = owner.replace(/[^A-Za-z0-9_.-]+/g, '-');
    add({
      code: 'literal-secret',
      path: `${base}${s.pointer}`,
      ...where,
      message: 'a secret is written into the flow file as a literal value',
      hint: `use a reference instead, e.g. "\${env:${envName}}" or "\${file:/run/secrets/${fileName}}"`,
    });
  }
}

function safeLint(
  lint:
    | ((config: never) => { path: string; message: string; hint?: string; severity?: 'error' | 'warning' }[])
    | undefined,
  config: unknown,
) {
  if (!lint) return [];
  try {
    return lint(config as never);
  } catch (err) {
    return [
      {
        path: '',
        message: `lint failed: ${err instanceof Error ? err.message : String(err)}`,
        severity: 'warning' as const,
      },
    ];
  }
}

export { ERROR_PORT };
