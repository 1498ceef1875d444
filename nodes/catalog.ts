/**
 * The one list of node types and connection kinds. Isomorphic: definitions only; each type's runtime is
 * `nodes/<type>/runtime.ts`, found by the engine through its folder name.
 */
import type { Catalog } from '../src/spec/node-definition.js';
import { debug } from './debug/definition.js';
import { filter } from './filter/definition.js';
import { generate } from './generate/definition.js';
import { json } from './json/definition.js';
import { switchNode } from './switch/definition.js';
import { transform } from './transform/definition.js';

export const catalog: Catalog = {
  nodes: [generate, transform, filter, switchNode, json, debug],
  connections: [],
};
