/**
 * The one JSON Schema of a flow file: the document schema with every node type's and connection kind's
 * config schema attached by `type`/`kind`. Editor, CLI and runtime validate with it. Isomorphic.
 */
import type { Catalog } from '../spec/node-definition.js';
import { FLOW_FORMAT, FlowDocumentSchema } from './document.js';

type JsonObject = Record<string, unknown>;

/** Plain JSON copy (drops TypeBox's non-JSON keys, if any). */
function plain<T>(schema: T): JsonObject {
  return JSON.parse(JSON.stringify(schema)) as JsonObject;
}

function branch(discriminator: string, value: string, config: unknown): JsonObject {
  return {
    if: { properties: { [discriminator]: { const: value } }, required: [discriminator] },
    // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then keyword, never awaited
    then: { properties: { config: plain(config) } },
  };
}

export function assembleFlowSchema(catalog: Catalog): JsonObject {
  const doc = plain(FlowDocumentSchema);
  const props = doc.properties as Record<string, JsonObject>;
  const nodes = props.nodes as JsonObject;
  nodes.items = { allOf: [nodes.items, ...catalog.nodes.map((d) => branch('type', d.type, d.config))] };
  // A subflow's nodes are checked like the flow's own.
  const subflowNodes = ((props.subflows as JsonObject).items as { properties: Record<string, JsonObject> }).properties
    .nodes;
  subflowNodes.items = nodes.items;
  const connections = props.connections as JsonObject;
  connections.items = {
    allOf: [connections.items, ...catalog.connections.map((c) => branch('kind', c.kind, c.config))],
  };
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `https://sluice.dev/schema/${FLOW_FORMAT.replace('/', '-')}.json`,
    title: 'Sluice flow',
    ...doc,
  };
}
