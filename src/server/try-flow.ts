/**
 * The flow a trial runs: only the part reachable from the chosen node (plus the error route), so unrelated
 * drafts elsewhere on the canvas neither block it nor run, with an inject node wired in when the chosen
 * node takes input. Index maps let problems point at the editor's flow, not the pruned copy.
 */
import type { Problem } from '../flow/problem.js';
import { type Catalog, findNodeType } from '../spec/node-definition.js';
import { ApiError } from './errors.js';
import type { FlowObject } from './store.js';
import { INJECT_TYPE } from './try-standins.js';

interface EdgeLike {
  source: string;
  target: string;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isEdge(v: unknown): v is EdgeLike & Record<string, unknown> {
  return isObject(v) && typeof v.source === 'string' && typeof v.target === 'string';
}

export interface TrialFlow {
  flow: FlowObject;
  /** The node the sample message is ingested through: the chosen source, or the inject node. */
  entryId: string;
  /** Set when an inject node was added (its own emissions are not steps). */
  injectId?: string;
  /** Problems of the pruned flow, re-pointed at the original document. */
  mapProblems(problems: Problem[]): Problem[];
}

function reach(edges: EdgeLike[], start: string, into: Set<string>): void {
  const queue = [start];
  into.add(start);
  while (queue.length) {
    const id = queue.pop()!;
    for (const e of edges) {
      if (e.source === id && !into.has(e.target)) {
        into.add(e.target);
        queue.push(e.target);
      }
    }
  }
}

export function buildTrialFlow(input: FlowObject, nodeId: string, catalog: Catalog): TrialFlow {
  const nodes = Array.isArray(input.nodes) ? input.nodes : [];
  const edges = Array.isArray(input.edges) ? input.edges : [];
  const target = nodes.find((n): n is Record<string, unknown> => isObject(n) && n.id === nodeId);
  if (!target) {
    throw new ApiError(400, 'unknown-node', `node "${nodeId}" is not in the flow`, [
      { severity: 'error', code: 'unknown-node', path: '/nodeId', message: `node "${nodeId}" is not in the flow` },
    ]);
  }
  const wired = edges.filter(isEdge);
  const keep = new Set<string>();
  reach(wired, nodeId, keep);
  const settings = isObject(input.settings) ? input.settings : undefined;
  if (typeof settings?.errorRoute === 'string' && nodes.some((n) => isObject(n) && n.id === settings.errorRoute)) {
    reach(wired, settings.errorRoute, keep);
  }

  const nodeIndex: number[] = [];
  const edgeIndex: number[] = [];
  const prunedNodes: unknown[] = [];
  const prunedEdges: unknown[] = [];
  nodes.forEach((n, i) => {
    if (isObject(n) && typeof n.id === 'string' && keep.has(n.id)) {
      nodeIndex.push(i);
      prunedNodes.push(n);
    }
  });
  edges.forEach((e, i) => {
    if (isEdge(e) && keep.has(e.source) && keep.has(e.target)) {
      edgeIndex.push(i);
      prunedEdges.push(e);
    }
  });

  const def = typeof target.type === 'string' ? findNodeType(catalog, target.type) : undefined;
  let entryId = nodeId;
  let injectId: string | undefined;
  const firstInput = def?.inputs[0]?.name;
  if (firstInput !== undefined) {
    injectId = '__try-input';
    while (nodes.some((n) => isObject(n) && n.id === injectId)) injectId = `_${injectId}`;
    prunedNodes.push({ id: injectId, type: INJECT_TYPE, config: {} });
    prunedEdges.push({ source: injectId, sourcePort: 'out', target: nodeId, targetPort: firstInput });
    entryId = injectId;
  }

  const remap = (path: string): string =>
    path.replace(/^\/(nodes|edges)\/(\d+)/, (whole, kind: string, i: string) => {
      const original = (kind === 'nodes' ? nodeIndex : edgeIndex)[Number(i)];
      return original === undefined ? whole : `/${kind}/${original}`;
    });

  return {
    flow: { ...input, nodes: prunedNodes, edges: prunedEdges },
    entryId,
    injectId,
    mapProblems: (problems) => problems.map((p) => ({ ...p, path: remap(p.path) })),
  };
}
