/**
 * What is deployed, persisted next to the flows (`<flowsDir>/.deployed.json`), so a restart or a crash of `serve`
 * starts every flow that was running again, at its deployed revision. The record holds the deployed document itself,
 * not the store's latest (possibly unsaved or undeployed) edit. It changes only on what a user asks for: a successful
 * deploy adds or replaces a flow, a stop removes it; shutting the server down keeps it.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SluiceLogger } from '../runtime/log.js';
import { type FlowObject, writeAtomic } from './store.js';

export const DEPLOYED_FILE = '.deployed.json';
const FORMAT = 'sluice/deployed@1';

export interface DeployedFlow {
  id: string;
  revision: number;
  flow: FlowObject;
}

interface FileShape {
  format: typeof FORMAT;
  flows: DeployedFlow[];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isDeployedFlow(v: unknown): v is DeployedFlow {
  return (
    isObject(v) &&
    typeof v.id === 'string' &&
    typeof v.revision === 'number' &&
    Number.isSafeInteger(v.revision) &&
    isObject(v.flow)
  );
}

export class DeployedRecord {
  private readonly flows = new Map<string, DeployedFlow>();
  private chain: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly dir: string,
    private readonly log: SluiceLogger,
  ) {}

  /** Reads the record; a missing file is an empty record, an unreadable one is logged and replaced on the next write. */
  static async open(dir: string, log: SluiceLogger): Promise<DeployedRecord> {
    const record = new DeployedRecord(dir, log);
    let text: string;
    try {
      text = await readFile(join(dir, DEPLOYED_FILE), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      return record;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      log.warn(
        { file: DEPLOYED_FILE, err: String(err) },
        'the record of deployed flows is unreadable: no flow resumes',
      );
      return record;
    }
    const list = isObject(parsed) && Array.isArray(parsed.flows) ? parsed.flows : [];
    for (const f of list) {
      if (isDeployedFlow(f)) record.flows.set(f.id, f);
      else log.warn({ file: DEPLOYED_FILE }, 'an entry of the record of deployed flows is malformed: skipped');
    }
    return record;
  }

  list(): DeployedFlow[] {
    return [...this.flows.values()].sort((a, b) => a.id.localeCompare(b.id));
  }

  set(entry: DeployedFlow): Promise<void> {
    this.flows.set(entry.id, entry);
    return this.save();
  }

  delete(id: string): Promise<void> {
    if (!this.flows.delete(id)) return Promise.resolve();
    return this.save();
  }

  /** Writes are serialised; each writes the whole (small) record. */
  private save(): Promise<void> {
    const text = `${JSON.stringify({ format: FORMAT, flows: this.list() } satisfies FileShape, null, 2)}\n`;
    const run = this.chain.then(() => writeAtomic(this.dir, DEPLOYED_FILE, text));
    this.chain = run.catch((err: unknown) =>
      this.log.error({ file: DEPLOYED_FILE, err: String(err) }, 'could not record the deployed flows'),
    );
    return run;
  }
}
