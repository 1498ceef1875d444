/** The ports a node shows, from its definition and config (a switch's outputs follow its rules). */

import type { FlowSubflow } from '../../../src/flow/index.js';
import { outputPorts, type PortDef } from '../../../src/spec/index.js';
import { nodeDefinition } from './catalog.js';
import { findSubflow, isPortNodeType, portNodePorts, subflowUsePorts } from './subflows.js';

export interface NodePorts {
  inputs: PortDef[];
  outputs: PortDef[];
}

const NONE: NodePorts = { inputs: [], outputs: [] };
const cache = new WeakMap<object, { type: string; ports: NodePorts }>();

/**
 * Memoised per config object: configs are replaced, never mutated, in the editor, so identity is enough. A use of a
 * subflow takes its ports from the definition in `subflows` (not cached: the definition changes on its own).
 */
export function portsOf(type: string, config: Record<string, unknown>, subflows?: readonly FlowSubflow[]): NodePorts {
  if (isPortNodeType(type)) return portNodePorts(type, config);
  if (type.startsWith('subflow:')) {
    const def = findSubflow(subflows, type);
    return def ? subflowUsePorts(def) : NONE;
  }
  const hit = cache.get(config);
  if (hit && hit.type === type) return hit.ports;
  const def = nodeDefinition(type);
  if (!def) return NONE;
  const ports = { inputs: def.inputs, outputs: outputPorts(def, config) };
  cache.set(config, { type, ports });
  return ports;
}

/** A key that changes when the node's handles change (React Flow must then re-measure them). */
export function portsKey(p: NodePorts): string {
  return `${p.inputs.map((x) => x.name).join(',')}|${p.outputs.map((x) => x.name).join(',')}`;
}
