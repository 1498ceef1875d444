/**
 * Auto-layout with ELK's layered algorithm, aware of ports (a switch's outputs keep their order), left to right.
 * elkjs is large, so it is imported only when the user asks for a layout.
 */
import type { ElkNode } from 'elkjs/lib/elk-api';
import type { FlowSubflow } from '../../../src/flow/index.js';
import { portsOf } from '../model/ports.js';
import type { EditorEdge, EditorNode } from '../model/types.js';

const DEFAULT_W = 180;
const DEFAULT_H = 90;

export async function layoutPositions(
  nodes: readonly EditorNode[],
  edges: readonly EditorEdge[],
  subflows?: readonly FlowSubflow[],
): Promise<Map<string, { x: number; y: number }>> {
  const { default: ELK } = await import('elkjs/lib/elk.bundled.js');
  const elk = new ELK();
  const graph: ElkNode = {
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'RIGHT',
      'elk.spacing.nodeNode': '36',
      'elk.layered.spacing.nodeNodeBetweenLayers': '70',
      'elk.layered.nodePlacement.strategy': 'NETWORK_SIMPLEX',
      'elk.layered.crossingMinimization.strategy': 'LAYER_SWEEP',
      'elk.separateConnectedComponents': 'true',
      'elk.spacing.componentComponent': '60',
    },
    children: nodes.map((n) => {
      const ports = portsOf(n.data.type, n.data.config, subflows);
      return {
        id: n.id,
        width: n.measured?.width ?? DEFAULT_W,
        height: n.measured?.height ?? DEFAULT_H,
        layoutOptions: { 'elk.portConstraints': 'FIXED_ORDER' },
        ports: [
          ...ports.inputs.map((p, i) => ({
            id: `${n.id}\u0000in\u0000${p.name}`,
            layoutOptions: { 'elk.port.side': 'WEST', 'elk.port.index': String(i) },
          })),
          ...ports.outputs.map((p, i) => ({
            id: `${n.id}\u0000out\u0000${p.name}`,
            // ELK orders EAST ports by index clockwise (top to bottom): keep the node's own order.
            layoutOptions: { 'elk.port.side': 'EAST', 'elk.port.index': String(i) },
          })),
        ],
      };
    }),
    edges: [],
  };
  // Only edges between existing ports (an invalid flow may have others; ELK rejects them).
  const known = new Set((graph.children ?? []).flatMap((c) => (c.ports ?? []).map((p) => p.id)));
  graph.edges = edges
    .map((e) => ({
      id: e.id,
      sources: [`${e.source}\u0000out\u0000${e.sourceHandle ?? 'out'}`],
      targets: [`${e.target}\u0000in\u0000${e.targetHandle ?? 'in'}`],
    }))
    .filter((e) => known.has(e.sources[0]) && known.has(e.targets[0]));
  const out = await elk.layout(graph);
  const positions = new Map<string, { x: number; y: number }>();
  for (const c of out.children ?? []) positions.set(c.id, { x: Math.round(c.x ?? 0), y: Math.round(c.y ?? 0) });
  return positions;
}
