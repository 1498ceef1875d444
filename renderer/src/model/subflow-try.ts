/**
 * Try it inside an open subflow: the trial runs one use of the subflow (with its parameters' defaults, or a use's
 * values for those without one), expanded by the engine's own expander (src/flow/subflow.ts), with a debug node on
 * each of its outputs so that a message reaching the subflow's Out shows as such. The trial's node ids
 * (`<use>:<inner id>`) are mapped back to the ids on the subflow's canvas (an inner node, a nested use, or the In and
 * Out nodes). Pure.
 */
import {
  expandSubflows,
  type FlowDocument,
  type FlowEdge,
  type FlowSubflow,
  isSubflowType,
  SUBFLOW_IN,
  SUBFLOW_OUT,
  subflowIdOf,
  subflowPorts,
} from '../../../src/flow/index.js';
import type { TryStep } from '../api/types.js';

/** The use the trial runs, and the node fed the sample when it goes in through In or into a nested use. */
const USE = '__try';
const FEED = '__try-in';
const OUT_PREFIX = '__try-out-';

/** What the try endpoint is sent, and how its answer maps back onto the canvas the user tried on. */
export interface Trial {
  /** The flow to send to the try endpoint (inside a subflow: one use of it, expanded). */
  flow: FlowDocument;
  /** The node of `flow` the sample goes into. */
  nodeId: string;
  /** The trial's steps and deliveries in the canvas's ids (a subflow's Out receives what reached an output). */
  mapSteps(steps: TryStep[]): TryStep[];
  mapDelivered(delivered: TryStep[]): TryStep[];
  /** The server's words with the trial's ids taken out. */
  mapError(error: string): string;
  /** The parameter values it runs with, in words ("Factor 2 (its default)"); empty when the subflow has none. */
  parameters: string;
}

/**
 * The parameter values of the trial: each one's default, else the value the flow's first use that sets it gives
 * (a literal, not a reference to an enclosing subflow's parameter); the words that say so; or those with neither.
 */
function trialParameters(
  doc: FlowDocument,
  def: FlowSubflow,
): { values: Record<string, unknown>; words: string[]; missing: string[] } {
  const values: Record<string, unknown> = {};
  const words: string[] = [];
  const missing: string[] = [];
  const show = (v: unknown) => JSON.stringify(v);
  for (const [name, p] of Object.entries(def.parameters ?? {})) {
    const label = p.title ?? name;
    if (p.default !== undefined) {
      words.push(`${label} ${show(p.default)} (its default)`);
      continue;
    }
    const literal = (v: unknown) => v !== undefined && !(typeof v === 'string' && v.includes('${param:'));
    const use = doc.nodes.find((n) => n.type === `subflow:${def.id}` && literal(n.config?.[name]));
    if (!use) {
      missing.push(label);
      continue;
    }
    values[name] = use.config[name];
    words.push(`${label} ${show(values[name])} (as use "${use.name ?? use.id}" sets it)`);
  }
  return { values, words, missing };
}

/**
 * The trial for a sample sent into `chosen` on the canvas of subflow `subflowId` of `doc` (an inner node, a nested
 * use, or In: `inputPort` names which of the subflow's inputs, the first by default), or why there can be none.
 */
export function subflowTrial(doc: FlowDocument, subflowId: string, chosen: string, inputPort?: string): Trial | string {
  const index = doc.subflows?.findIndex((s) => s.id === subflowId) ?? -1;
  const def = index < 0 ? undefined : doc.subflows?.[index];
  if (!def) return `This flow has no subflow "${subflowId}".`;
  const title = def.name || def.id;
  const params = trialParameters(doc, def);
  if (params.missing.length) {
    const names = params.missing.map((m) => `"${m}"`).join(', ');
    return `Try it inside a subflow uses its parameters' defaults, or a use's values: give ${names} a default in the subflow's properties (select In or Out) or a value on a use, or try the flow from its source.`;
  }
  if (chosen === SUBFLOW_OUT) return `The Out node takes what leaves the subflow: send the sample into In or a node.`;

  const { inputs, outputs } = subflowPorts(def);
  const inner = (def.nodes ?? []).find((n) => n.id === chosen);
  if (chosen !== SUBFLOW_IN && !inner) return `Node "${chosen}" is not in subflow "${title}".`;

  // Into In or a nested use: a fed node inside a copy of the definition, wired where the sample should go.
  let trialDef = def;
  let feedPort: string | undefined;
  if (chosen === SUBFLOW_IN) {
    feedPort = inputPort ?? inputs[0];
    if (!feedPort || !inputs.includes(feedPort)) return `Subflow "${title}" has no input to send the sample into.`;
    const into = (def.edges ?? []).filter((e) => e.source === SUBFLOW_IN && e.sourcePort === feedPort);
    if (!into.length) return `Input "${feedPort}" of subflow "${title}" is wired to no node: wire In to a node first.`;
    trialDef = fedCopy(
      def,
      into.map((e) => ({ target: e.target, targetPort: e.targetPort })),
    );
  } else if (inner && isSubflowType(inner.type)) {
    const nested = doc.subflows?.find((s) => s.id === subflowIdOf(inner.type));
    const port = nested ? subflowPorts(nested).inputs[0] : undefined;
    if (!port) return `Subflow "${inner.name ?? inner.id}" has no input to send the sample into.`;
    trialDef = fedCopy(def, [{ target: inner.id, targetPort: port }]);
  }

  const outNode = (i: number) => `${OUT_PREFIX}${i + 1}`;
  const wrapper: FlowDocument = {
    format: doc.format,
    ...(doc.connections ? { connections: doc.connections } : {}),
    // The flow's error route is not part of the subflow: failures end where they would inside it.
    ...(doc.settings ? { settings: withoutErrorRoute(doc.settings) } : {}),
    subflows: doc.subflows?.map((s, i) => (i === index ? trialDef : s)),
    nodes: [
      { id: USE, type: `subflow:${def.id}`, config: params.values },
      ...outputs.map((_, i) => ({ id: outNode(i), type: 'debug', config: {} })),
    ],
    edges: outputs.map((port, i) => ({ source: USE, sourcePort: port, target: outNode(i), targetPort: 'in' })),
  };
  const expanded = expandSubflows(wrapper);
  if (expanded.problems.length) {
    return `Subflow "${title}" cannot run: ${expanded.problems[0].message}. See the Problems panel.`;
  }

  // Fed through a copy of the definition (into In or a nested use), or straight into an inner node.
  const fed = trialDef !== def;
  const toCanvas = (id: string): string | undefined => {
    if (!id.startsWith(`${USE}:`)) return undefined;
    const rest = id.slice(USE.length + 1);
    if (rest === FEED) return SUBFLOW_IN;
    // A node copied out of a nested use keeps its id path (`nested:x`): the panel names it by the path.
    return rest;
  };
  return {
    flow: expanded.flow,
    nodeId: fed ? `${USE}:${FEED}` : `${USE}:${chosen}`,
    mapSteps: (steps) =>
      steps.flatMap((s) => {
        const id = toCanvas(s.nodeId);
        if (id === undefined) return [];
        if (id === SUBFLOW_IN) return feedPort === undefined ? [] : [{ ...s, nodeId: SUBFLOW_IN, port: feedPort }];
        return [{ ...s, nodeId: id }];
      }),
    mapDelivered: (delivered) =>
      delivered.flatMap((s) => {
        if (s.nodeId.startsWith(OUT_PREFIX)) {
          const port = outputs[Number(s.nodeId.slice(OUT_PREFIX.length)) - 1];
          return port === undefined ? [] : [{ ...s, nodeId: SUBFLOW_OUT, port }];
        }
        const id = toCanvas(s.nodeId);
        return id === undefined ? [] : [{ ...s, nodeId: id }];
      }),
    mapError: (error) => error.split(`${USE}:`).join(''),
    parameters: params.words.join(', '),
  };
}

/** A trial of the flow itself: sent as it is, answered in its own ids. */
export function flowTrial(doc: FlowDocument, nodeId: string): Trial {
  const same = <T>(x: T) => x;
  return { flow: doc, nodeId, mapSteps: same, mapDelivered: same, mapError: same, parameters: '' };
}

function withoutErrorRoute(settings: NonNullable<FlowDocument['settings']>): NonNullable<FlowDocument['settings']> {
  const { errorRoute: _route, ...rest } = settings;
  return rest;
}

/** `def` with an inject node that feeds `targets` (the try endpoint stands a recorder in for it). */
function fedCopy(def: FlowSubflow, targets: Array<{ target: string; targetPort: string }>): FlowSubflow {
  const edges: FlowEdge[] = targets.map((t) => ({ source: FEED, sourcePort: 'out', ...t }));
  return {
    ...def,
    nodes: [...(def.nodes ?? []), { id: FEED, type: 'inject', config: {} }],
    edges: [...(def.edges ?? []), ...edges],
  };
}

/**
 * The canvas node a trial's step belongs to: the node itself, or the nested use a copied node came out of
 * (`nested:x` is marked on `nested`); undefined when it is on no node of `canvasIds`.
 */
export function canvasNodeOf(id: string, canvasIds: ReadonlySet<string>): string | undefined {
  if (canvasIds.has(id)) return id;
  for (let i = id.indexOf(':'); i > 0; i = id.indexOf(':', i + 1)) {
    const head = id.slice(0, i);
    if (canvasIds.has(head)) return head;
  }
  return undefined;
}
