/** Flow files on disk: read with a size and type check, written atomically, secrets stripped on the way out. */
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, extname } from 'node:path';
import type { FlowDocument } from '../flow/document.js';
import { serializeFlow, stripSecrets } from '../flow/serialize.js';
import { writeAtomic } from '../server/store.js';
import type { Catalog } from '../spec/node-definition.js';
import { MAX_FLOW_FILE_BYTES } from './bridge.js';

export async function readFlowFile(path: string): Promise<string> {
  if (extname(path).toLowerCase() !== '.json') throw new Error(`${basename(path)} is not a flow file (.json)`);
  const info = await stat(path);
  if (!info.isFile()) throw new Error(`${path} is not a file`);
  if (info.size > MAX_FLOW_FILE_BYTES) throw new Error(`${basename(path)} is larger than 5 MB`);
  return readFile(path, 'utf8');
}

/**
 * The text written for a flow: canonical JSON with secrets only as references. A literal secret typed into a field
 * never reaches a file (the same rule as the flow store and the export route).
 */
export function fileText(text: string, catalog: Catalog): string {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new Error(`the flow is not JSON (${(err as Error).message})`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new Error('the flow is not a JSON object');
  return serializeFlow(stripSecrets(doc as FlowDocument, catalog).flow);
}

export async function writeFlowFile(path: string, text: string): Promise<void> {
  await writeAtomic(dirname(path), basename(path), text.endsWith('\n') ? text : `${text}\n`);
}

export function withJsonExtension(path: string): string {
  return extname(path).toLowerCase() === '.json' ? path : `${path}.json`;
}
