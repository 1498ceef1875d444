/**
 * The flow store: one canonical file per flow (`<id>.json`) plus its revision (`<id>.meta.json`).
 * Writes are serialised and atomic (temp file, fsync, rename), so a crash never leaves half a flow,
 * and the revision check happens inside the same critical section as the write.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { parseFlowText } from '../flow/parse.js';
import type { SluiceLogger } from '../runtime/log.js';
import { ApiError } from './errors.js';
import { freeId, storeIdProblem } from './flow-id.js';
import type { ServerMessage } from './protocol.js';

export type FlowObject = Record<string, unknown>;

export interface StoredFlow {
  id: string;
  flow: FlowObject;
  revision: number;
}

/** What to write for a given id: the canonical text and the object it parses to. */
export interface PreparedFlow {
  flow: FlowObject;
  text: string;
}

interface Entry {
  flow: FlowObject;
  revision: number;
  /** `{ flow, revision }` as the API sends it, made on the first read of this revision. */
  body?: string;
}

function isObject(v: unknown): v is FlowObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Temp file, fsync, rename: a crash leaves the old file or the new one, never half of one. */
export async function writeAtomic(dir: string, name: string, text: string): Promise<void> {
  const tmp = join(dir, `.${name}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fh = await open(tmp, 'w', 0o644);
  try {
    await fh.writeFile(text, 'utf8');
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await rename(tmp, join(dir, name));
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}

async function unlinkIfThere(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

export class FlowStore {
  private readonly flows = new Map<string, Entry>();
  /** Files that exist but do not parse: never listed, never overwritten. */
  private readonly unreadable = new Map<string, string>();
  private chain: Promise<unknown> = Promise.resolve();
  loaded = false;

  private constructor(
    readonly dir: string,
    private readonly log: SluiceLogger,
    private readonly notify: (msg: ServerMessage) => void,
  ) {}

  static async open(dir: string, log: SluiceLogger, notify: (msg: ServerMessage) => void): Promise<FlowStore> {
    const store = new FlowStore(dir, log, notify);
    await mkdir(dir, { recursive: true });
    await store.load();
    return store;
  }

  private async load(): Promise<void> {
    const names = (await readdir(this.dir)).filter(
      (n) => n.endsWith('.json') && !n.startsWith('.') && !n.endsWith('.meta.json'),
    );
    for (const name of names.sort()) {
      const id = name.slice(0, -'.json'.length);
      const idProblem = storeIdProblem(id);
      if (idProblem) {
        this.log.warn({ file: name }, `flow file skipped: ${idProblem}`);
        continue;
      }
      const parsed = parseFlowText(await readFile(join(this.dir, name), 'utf8'));
      if (!parsed.ok || !isObject(parsed.value)) {
        const why = parsed.ok ? 'it does not hold a JSON object' : parsed.problem.message;
        this.unreadable.set(id, why);
        this.log.warn({ file: name }, `flow file skipped: ${why}`);
        continue;
      }
      const flow = parsed.value;
      if (flow.id !== undefined && flow.id !== id) {
        this.log.warn(
          { file: name, flowId: flow.id },
          'the flow id inside the file differs from its file name: using the file name',
        );
      }
      flow.id = id;
      this.flows.set(id, { flow, revision: await this.readRevision(id) });
    }
    this.loaded = true;
    this.log.info({ dir: this.dir, flows: this.flows.size }, 'flow store loaded');
  }

  private async readRevision(id: string): Promise<number> {
    try {
      const meta: unknown = JSON.parse(await readFile(join(this.dir, `${id}.meta.json`), 'utf8'));
      const rev = isObject(meta) ? meta.revision : undefined;
      if (typeof rev === 'number' && Number.isSafeInteger(rev) && rev >= 1) return rev;
    } catch {
      // no or unreadable meta file: the flow starts again at revision 1
    }
    return 1;
  }

  private locked<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** True when `id` (compared case-insensitively, for case-insensitive file systems) is in use. */
  taken(id: string): boolean {
    const lower = id.toLowerCase();
    for (const k of [...this.flows.keys(), ...this.unreadable.keys()]) if (k.toLowerCase() === lower) return true;
    return false;
  }

  list(): Array<{ id: string; name: string; revision: number }> {
    return [...this.flows.entries()]
      .map(([id, e]) => ({
        id,
        name: typeof e.flow.name === 'string' && e.flow.name ? e.flow.name : id,
        revision: e.revision,
      }))
      .sort((a, b) => a.id.localeCompare(b.id));
  }

  get(id: string): StoredFlow | undefined {
    const e = this.flows.get(id);
    return e && { id, flow: structuredClone(e.flow), revision: e.revision };
  }

  /**
   * The flow and its revision as JSON, serialised once per revision: opening a large flow in the editor waits on this
   * (a clone and a stringify of a 5,000-node flow is ~30 ms of the server's thread on every open).
   */
  body(id: string): string | undefined {
    const e = this.flows.get(id);
    if (!e) return undefined;
    e.body ??= JSON.stringify({ flow: e.flow, revision: e.revision });
    return e.body;
  }

  /** Create a flow. `rename`: take `id-2`, `id-3`, ... when `id` is taken (import); `fail`: 409. */
  create(id: string, prepare: (id: string) => PreparedFlow, onConflict: 'fail' | 'rename'): Promise<StoredFlow> {
    return this.locked(async () => {
      const problem = storeIdProblem(id);
      if (problem) throw new ApiError(400, 'bad-id', problem);
      if (this.taken(id)) {
        if (onConflict === 'fail') {
          const why = this.unreadable.get(id);
          throw new ApiError(
            409,
            'exists',
            why
              ? `a file ${id}.json exists but could not be read (${why}); fix or remove it first`
              : `a flow with id "${id}" already exists; save to it with PUT /api/flows/${id}, or choose another id`,
          );
        }
        id = freeId(id, (c) => this.taken(c));
      }
      return this.write(id, prepare(id), 1);
    });
  }

  /** Save a new revision. `expected` undefined skips the stale check (the CLI's --open). */
  update(id: string, prepare: (id: string) => PreparedFlow, expected: number | undefined): Promise<StoredFlow> {
    return this.locked(async () => {
      const current = this.flows.get(id);
      if (!current) throw new ApiError(404, 'not-found', `no flow "${id}"; create it with POST /api/flows`);
      if (expected !== undefined && expected !== current.revision) {
        throw new ApiError(
          409,
          'stale-revision',
          `the flow was changed by someone else (revision ${current.revision}, you had ${expected}); reload it`,
        );
      }
      return this.write(id, prepare(id), current.revision + 1);
    });
  }

  remove(id: string): Promise<void> {
    return this.locked(async () => {
      if (!this.flows.has(id)) throw new ApiError(404, 'not-found', `no flow "${id}"`);
      await unlinkIfThere(join(this.dir, `${id}.json`));
      await unlinkIfThere(join(this.dir, `${id}.meta.json`));
      this.flows.delete(id);
      this.notify({ type: 'flow-deleted', id });
    });
  }

  private async write(id: string, prepared: PreparedFlow, revision: number): Promise<StoredFlow> {
    await writeAtomic(this.dir, `${id}.json`, prepared.text);
    await writeAtomic(this.dir, `${id}.meta.json`, `${JSON.stringify({ revision })}\n`);
    this.flows.set(id, { flow: prepared.flow, revision });
    this.notify({ type: 'flow-saved', id, revision });
    return { id, flow: structuredClone(prepared.flow), revision };
  }
}
