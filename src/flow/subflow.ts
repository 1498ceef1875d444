/**
 * Subflows: a group of nodes stored once in the flow document (`subflows`) and used as a node of type
 * `subflow:<id>`, with its own input and output ports and parameters. The engine runs the expanded flow: every use is
 * replaced by copies of the subflow's nodes (ids `<instance>:<inner id>`, nested uses add a level), edges into the use
 * go to the nodes the subflow's `$in` edges name, edges out of it leave from the nodes its `$out` edges name, and the
 * use's `error` port takes the failures of its nodes that do not wire their own. `${param:NAME}` in the nodes' config
 * is replaced by the use's parameter value (a whole-string reference keeps the value's type). Isomorphic.
 */
import { ERROR_PORT } from '../spec/node-definition.js';
import type { FlowDocument, FlowEdge, FlowNode, FlowSubflow, SubflowParameter } from './document.js';
import type { Problem } from './problem.js';

export const SUBFLOW_TYPE_PREFIX = 'subflow:';
/** Inside a subflow: the source of edges that start at the subflow's inputs, and the target of those that end at its outputs. */
export const SUBFLOW_IN = '$in';
export const SUBFLOW_OUT = '$out';
/** Between an instance's id and an inner node's id in the expanded flow. */
export const SUBFLOW_ID_SEPARATOR = ':';
/** Subflows used inside subflows: deeper than this is refused (a cycle is refused at any depth). */
const MAX_DEPTH = 16;

const PARAMETER_REF = /\$\{param:([^}]*)\}/g;
const WHOLE_PARAMETER_REF = /^\$\{param:([^}]*)\}$/;

export interface SubflowExpansion {
  /** The flow to run: no subflows, no uses of them. */
  flow: FlowDocument;
  /** Per node of `flow`: the JSON pointer of the node it copies in the original document. */
  nodeOrigins: string[];
  /**
   * Per edge of `flow`: the JSON pointers of the edges its two ends come from in the original document (an edge into
   * a subflow joins the outer edge and the subflow's `$in` edge).
   */
  edgeOrigins: Array<{ source: string; target: string }>;
  problems: Problem[];
}

export function isSubflowType(type: unknown): type is string {
  return typeof type === 'string' && type.startsWith(SUBFLOW_TYPE_PREFIX);
}

export function subflowIdOf(type: string): string {
  return type.slice(SUBFLOW_TYPE_PREFIX.length);
}

/** Whether expansion changes anything (most flows use no subflows). */
export function usesSubflows(flow: FlowDocument): boolean {
  return (flow.subflows?.length ?? 0) > 0 || flow.nodes.some((n) => isSubflowType(n?.type));
}

/** The ports a use of `subflow` has. */
export function subflowPorts(subflow: FlowSubflow): { inputs: string[]; outputs: string[] } {
  return { inputs: subflow.inputs ?? ['in'], outputs: subflow.outputs ?? ['out'] };
}

export function expandSubflows(flow: FlowDocument): SubflowExpansion {
  if (!usesSubflows(flow)) {
    return {
      flow,
      nodeOrigins: flow.nodes.map((_, i) => `/nodes/${i}`),
      edgeOrigins: (flow.edges ?? []).map((_, i) => ({ source: `/edges/${i}`, target: `/edges/${i}` })),
      problems: [],
    };
  }
  const expander = new Expander(flow);
  expander.flattenTop();
  expander.definitionCycles();
  const { subflows: _defs, ...rest } = flow;
  const expanded: FlowDocument = { ...rest, nodes: expander.nodes, edges: expander.edges };
  const route = flow.settings?.errorRoute;
  if (route !== undefined && flow.nodes.some((n) => n.id === route && isSubflowType(n.type))) {
    expander.problems.push({
      severity: 'error',
      code: 'error-route-subflow',
      path: '/settings/errorRoute',
      message: `the error route "${route}" is a subflow; the error route must be a node`,
      hint: 'point the error route at the first node inside the subflow, or at another node',
    });
  }
  return {
    flow: expanded,
    nodeOrigins: expander.nodeOrigins,
    edgeOrigins: expander.edgeOrigins,
    problems: expander.problems,
  };
}

interface Endpoint {
  node: string;
  port: string;
  /** The edge inside a subflow that leads to this end (its `$in` or `$out` edge), if any. */
  via?: string;
}

/** A use of a subflow, flattened: where its inputs lead and where its outputs come from. */
interface Inlined {
  entry: Map<string, Endpoint[]>;
  exit: Map<string, Endpoint[]>;
  /** Its nodes whose error port nothing inside the subflow wires: the use's `error` port takes their failures. */
  unwiredErrors: Endpoint[];
  leaves: string[];
}

interface Scope {
  prefix: string;
  /** '' at the top level, `/subflows/<i>` inside a subflow. */
  pointer: string;
  params: Record<string, unknown>;
  stack: string[];
  /** The subflow's name, for messages. */
  label?: string;
}

/** A document's list, or none when a malformed file has something else there (the schema reports that). */
function listOf<T>(value: readonly T[] | undefined): readonly T[] {
  return Array.isArray(value) ? value : [];
}

class Expander {
  readonly nodes: FlowNode[] = [];
  readonly nodeOrigins: string[] = [];
  readonly edges: FlowEdge[] = [];
  readonly edgeOrigins: Array<{ source: string; target: string }> = [];
  readonly problems: Problem[] = [];
  private readonly defs = new Map<string, { def: FlowSubflow; index: number }>();

  constructor(flow: FlowDocument) {
    this.flow = flow;
    (flow.subflows ?? []).forEach((def, index) => {
      if (typeof def?.id === 'string' && !this.defs.has(def.id)) this.defs.set(def.id, { def, index });
    });
  }

  private readonly flow: FlowDocument;

  flattenTop(): void {
    this.flatten(listOf(this.flow.nodes), listOf(this.flow.edges), { prefix: '', pointer: '', params: {}, stack: [] });
  }

  /**
   * Subflows that contain themselves through each other, used or not (a use reports its own cycle as it expands):
   * each cycle once, at the use that closes it, in the subflows' names.
   */
  definitionCycles(): void {
    const reported = new Set(
      this.problems.filter((p) => p.code === 'subflow-cycle').map((p) => /^\/subflows\/(\d+)\//.exec(p.path)?.[1]),
    );
    const done = new Set<string>();
    const visit = (id: string, path: string[]): void => {
      if (done.has(id)) return;
      const found = this.defs.get(id);
      if (!found) return;
      listOf(found.def.nodes).forEach((n, j) => {
        if (!isSubflowType(n?.type)) return;
        const next = subflowIdOf(n.type);
        const at = path.indexOf(next);
        if (at < 0) {
          visit(next, [...path, next]);
          return;
        }
        const cycle = [...path.slice(at), next];
        const members = cycle.map((c) => this.defs.get(c)?.index);
        if (members.some((m) => reported.has(String(m)))) return;
        for (const m of members) reported.add(String(m));
        const name = (c: string) => `"${this.defs.get(c)?.def.name ?? c}"`;
        const through = cycle.slice(1, -1);
        this.problem({
          code: 'subflow-cycle',
          path: `/subflows/${found.index}/nodes/${j}/type`,
          message: through.length
            ? `subflow ${name(next)} uses itself through ${through.map(name).join(', then ')}`
            : `subflow ${name(next)} uses itself`,
          hint: 'a subflow may not contain itself, directly or through another subflow: remove one of these uses',
        });
      });
      done.add(id);
    };
    for (const id of this.defs.keys()) visit(id, [id]);
  }

  private problem(p: Omit<Problem, 'severity'>): void {
    this.problems.push({ severity: 'error', ...p });
  }

  private flatten(nodes: readonly FlowNode[], edges: readonly FlowEdge[], scope: Scope): Inlined {
    const instances = new Map<string, Inlined>();
    const leaves: string[] = [];
    nodes.forEach((n, i) => {
      if (typeof n?.id !== 'string' || typeof n.type !== 'string') return;
      const pointer = `${scope.pointer}/nodes/${i}`;
      if (!isSubflowType(n.type)) {
        const id = scope.prefix + n.id;
        const config = substitute(n.config, scope.params, (name, at) =>
          this.problem({
            code: 'unknown-parameter',
            path: `${pointer}/config${at}`,
            nodeId: id,
            message: `\${param:${name}} names no parameter of subflow "${scope.label ?? ''}"`,
            hint: `add a parameter "${name}" to the subflow, or fix the name`,
          }),
        );
        this.nodes.push({ ...n, id, config: config as Record<string, unknown> });
        this.nodeOrigins.push(pointer);
        leaves.push(id);
        return;
      }
      const inlined = this.inline(n, pointer, scope);
      if (inlined) {
        instances.set(n.id, inlined);
        leaves.push(...inlined.leaves);
      }
    });

    const entry = new Map<string, Endpoint[]>();
    const exit = new Map<string, Endpoint[]>();
    const errorWired = new Set<string>();
    const inside = scope.pointer !== '';
    edges.forEach((e, i) => {
      if (!isWellFormed(e)) return;
      const path = `${scope.pointer}/edges/${i}`;
      const sources =
        inside && e.source === SUBFLOW_IN
          ? [{ node: SUBFLOW_IN, port: e.sourcePort }]
          : this.sourcesOf(e, instances, scope, path);
      const targets =
        inside && e.target === SUBFLOW_OUT
          ? [{ node: SUBFLOW_OUT, port: e.targetPort }]
          : this.targetsOf(e, instances, scope, path);
      for (const s of sources) {
        if (s.port === ERROR_PORT) errorWired.add(s.node);
        for (const t of targets) {
          if (s.node === SUBFLOW_IN && t.node === SUBFLOW_OUT) {
            this.problem({
              code: 'subflow-passthrough',
              path,
              message: `in subflow "${scope.label}", input "${s.port}" is wired straight to output "${t.port}"`,
              hint: 'put a node between them, or wire around the subflow',
            });
          } else if (s.node === SUBFLOW_IN) push(entry, s.port, { ...t, via: t.via ?? path });
          else if (t.node === SUBFLOW_OUT) push(exit, t.port, { ...s, via: s.via ?? path });
          else {
            this.edges.push({ source: s.node, sourcePort: s.port, target: t.node, targetPort: t.port });
            this.edgeOrigins.push({ source: s.via ?? path, target: t.via ?? path });
          }
        }
      }
    });
    const unwiredErrors = leaves.filter((id) => !errorWired.has(id)).map((node) => ({ node, port: ERROR_PORT }));
    return { entry, exit, unwiredErrors, leaves };
  }

  /** A use of a subflow: its nodes copied under the use's id, with its parameters. */
  private inline(n: FlowNode, pointer: string, scope: Scope): Inlined | undefined {
    const sid = subflowIdOf(n.type);
    const found = this.defs.get(sid);
    const at = { path: `${pointer}/type`, nodeId: scope.prefix + n.id };
    if (!found) {
      this.problem({
        ...at,
        code: 'unknown-subflow',
        message: `subflow "${sid}" does not exist`,
        hint: this.defs.size
          ? `use one of the flow's subflows: ${[...this.defs.keys()].map((k) => `subflow:${k}`).join(', ')}`
          : 'add it under "subflows", or change the node type',
      });
      return undefined;
    }
    if (scope.stack.includes(sid)) {
      this.problem({
        ...at,
        code: 'subflow-cycle',
        message: `subflow "${sid}" uses itself (${[...scope.stack, sid].join(' -> ')})`,
        hint: 'a subflow may not contain itself, directly or through another subflow',
      });
      return undefined;
    }
    if (scope.stack.length >= MAX_DEPTH) {
      this.problem({
        ...at,
        code: 'subflow-depth',
        message: `subflows are nested more than ${MAX_DEPTH} deep`,
        hint: 'nest fewer subflows',
      });
      return undefined;
    }
    const { def, index } = found;
    const params = this.parameters(def, n, pointer, scope);
    return this.flatten(listOf(def.nodes), listOf(def.edges), {
      prefix: `${scope.prefix}${n.id}${SUBFLOW_ID_SEPARATOR}`,
      pointer: `/subflows/${index}`,
      params,
      stack: [...scope.stack, sid],
      label: def.name ?? def.id,
    });
  }

  /** The use's parameter values: its config (whose own `${param:}` refer to the enclosing subflow) over the defaults. */
  private parameters(def: FlowSubflow, n: FlowNode, pointer: string, scope: Scope): Record<string, unknown> {
    const declared = def.parameters ?? {};
    const given = (substitute(n.config ?? {}, scope.params, () => {}) ?? {}) as Record<string, unknown>;
    const values: Record<string, unknown> = {};
    const nodeId = scope.prefix + n.id;
    for (const [name, value] of Object.entries(given)) {
      const param = declared[name];
      if (!param) {
        this.problem({
          code: 'unknown-parameter',
          path: `${pointer}/config/${name}`,
          nodeId,
          message: `subflow "${def.name ?? def.id}" has no parameter "${name}"`,
          hint: Object.keys(declared).length
            ? `its parameters are: ${Object.keys(declared).join(', ')}`
            : 'it takes no parameters; remove the field',
        });
        continue;
      }
      const wrong = typeProblem(param, value);
      if (wrong) {
        this.problem({
          code: 'parameter-type',
          path: `${pointer}/config/${name}`,
          nodeId,
          message: `parameter "${param.title ?? name}" ${wrong}`,
          hint: `give it a ${param.type}`,
        });
        continue;
      }
      values[name] = value;
    }
    for (const [name, param] of Object.entries(declared)) {
      if (name in values) continue;
      if (param.default !== undefined) values[name] = param.default;
      else if (!(name in given)) {
        this.problem({
          code: 'missing-parameter',
          path: `${pointer}/config`,
          nodeId,
          message: `parameter "${param.title ?? name}" of subflow "${def.name ?? def.id}" is required`,
          hint: `add "${name}" to the node's config`,
        });
      }
    }
    return values;
  }

  private sourcesOf(e: FlowEdge, instances: Map<string, Inlined>, scope: Scope, path: string): Endpoint[] {
    const use = instances.get(e.source);
    if (!use) return [{ node: scope.prefix + e.source, port: e.sourcePort }];
    if (e.sourcePort === ERROR_PORT) return use.unwiredErrors;
    const found = use.exit.get(e.sourcePort);
    if (!found) this.noPort(e.source, e.sourcePort, 'output', [...use.exit.keys()], `${path}/sourcePort`, scope);
    return found ?? [];
  }

  private targetsOf(e: FlowEdge, instances: Map<string, Inlined>, scope: Scope, path: string): Endpoint[] {
    const use = instances.get(e.target);
    if (!use) return [{ node: scope.prefix + e.target, port: e.targetPort }];
    const found = use.entry.get(e.targetPort);
    if (!found) this.noPort(e.target, e.targetPort, 'input', [...use.entry.keys()], `${path}/targetPort`, scope);
    return found ?? [];
  }

  private noPort(node: string, port: string, side: string, known: string[], path: string, scope: Scope): void {
    this.problem({
      code: 'unknown-port',
      path,
      nodeId: scope.prefix + node,
      message: `subflow node "${node}" has no ${side} "${port}" wired inside it`,
      hint: known.length
        ? `use one of: ${known.join(', ')}`
        : `inside the subflow, wire "${side === 'input' ? SUBFLOW_IN : SUBFLOW_OUT}" ${side === 'input' ? 'to a node' : 'from a node'}`,
    });
  }
}

function push(map: Map<string, Endpoint[]>, key: string, value: Endpoint): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function isWellFormed(e: unknown): e is FlowEdge {
  if (typeof e !== 'object' || e === null) return false;
  const x = e as Record<string, unknown>;
  return (
    typeof x.source === 'string' &&
    typeof x.sourcePort === 'string' &&
    typeof x.target === 'string' &&
    typeof x.targetPort === 'string'
  );
}

function typeProblem(param: SubflowParameter, value: unknown): string | undefined {
  switch (param.type) {
    case 'string':
      return typeof value === 'string' ? undefined : 'must be text';
    case 'boolean':
      return typeof value === 'boolean' ? undefined : 'must be true or false';
    case 'integer':
      return Number.isInteger(value) ? undefined : 'must be a whole number';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? undefined : 'must be a number';
    default:
      return undefined;
  }
}

/** `${param:NAME}` replaced in every string of `value`; `unknown(name, pointer)` for a name with no value. */
function substitute(
  value: unknown,
  params: Record<string, unknown>,
  unknown: (name: string, pointer: string) => void,
  pointer = '',
): unknown {
  if (typeof value === 'string') {
    if (!value.includes('${param:')) return value;
    const whole = WHOLE_PARAMETER_REF.exec(value);
    if (whole) {
      if (Object.hasOwn(params, whole[1])) return params[whole[1]];
      unknown(whole[1], pointer);
      return value;
    }
    return value.replace(PARAMETER_REF, (ref, name: string) => {
      if (Object.hasOwn(params, name)) return String(params[name]);
      unknown(name, pointer);
      return ref;
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => substitute(v, params, unknown, `${pointer}/${i}`));
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = substitute(v, params, unknown, `${pointer}/${k}`);
    return out;
  }
  return value;
}
