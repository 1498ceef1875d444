import { catalog } from '../../../nodes/catalog.js';
import { applyDefaults } from '../../runtime/resolve-config.js';
import { outputPorts } from '../../spec/node-definition.js';
import { EXIT, UserError } from '../io.js';

/** Each node type as data: what `sluice nodes --json` prints and the editor could load. */
export function describeNodeTypes() {
  return catalog.nodes.map((d) => ({
    type: d.type,
    version: d.version,
    category: d.category,
    title: d.title,
    summary: d.summary,
    inputs: d.inputs,
    outputs: outputPorts(d, applyDefaults(d.config, {})),
    configSchema: JSON.parse(JSON.stringify(d.config)) as unknown,
    examples: d.examples ?? [],
  }));
}

export function nodesCommand(type: string | undefined, opts: { json?: boolean }): number {
  let list = describeNodeTypes();
  if (type) {
    list = list.filter((n) => n.type === type);
    if (list.length === 0)
      throw new UserError(`unknown node type "${type}" (run \`sluice nodes\` for the list)`, EXIT.usage);
  }
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(type ? list[0] : list, null, 2)}\n`);
    return EXIT.ok;
  }
  const width = Math.max(...list.map((n) => n.type.length));
  for (const n of list) {
    const ports = `${n.inputs.map((p) => p.name).join(',') || '-'} -> ${n.outputs.map((p) => p.name).join(',')}`;
    process.stdout.write(`${n.type.padEnd(width)}  ${n.category.padEnd(9)}  ${n.summary}  [${ports}]\n`);
  }
  if (!type && catalog.connections.length) {
    process.stdout.write(`\nconnections: ${catalog.connections.map((c) => c.kind).join(', ')}\n`);
  }
  return EXIT.ok;
}
