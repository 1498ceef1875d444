/**
 * The remote runners an editor deploys to: name, URL and token, kept by the editor's server (never in a flow file,
 * never sent back to the browser). One JSON file written atomically with mode 0600; the desktop app passes a `seal`
 * (the OS keychain through Electron's safeStorage) so the token is stored encrypted.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { writeAtomic } from '../store.js';

export interface RunnerEntry {
  id: string;
  name: string;
  url: string;
  token: string;
}

/** What the browser may see of a runner: everything but its token. */
export type RunnerInfo = Omit<RunnerEntry, 'token'>;

/** Encrypts a token for storage and back; the identity when no keychain is available. */
export interface TokenSeal {
  seal(token: string): string;
  unseal(stored: string): string;
}

const FORMAT = 'sluice/runners@1';

interface FileShape {
  format: typeof FORMAT;
  runners: Array<RunnerInfo & { token: string }>;
}

export class RunnerSettings {
  private readonly runners = new Map<string, RunnerEntry>();
  private chain: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly file: string,
    private readonly sealer: TokenSeal | undefined,
  ) {}

  /** A missing file is no runners; an unreadable one is an error naming the file (fix or delete it). */
  static async open(file: string, sealer?: TokenSeal): Promise<RunnerSettings> {
    const settings = new RunnerSettings(file, sealer);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return settings;
      throw err;
    }
    let parsed: FileShape;
    try {
      parsed = JSON.parse(text) as FileShape;
    } catch (err) {
      throw new Error(`the runners file ${file} is not JSON (${String(err)}); fix or delete it`);
    }
    for (const r of Array.isArray(parsed.runners) ? parsed.runners : []) {
      if (typeof r.id !== 'string' || typeof r.url !== 'string' || typeof r.token !== 'string') continue;
      const token = sealer ? sealer.unseal(r.token) : r.token;
      settings.runners.set(r.id, { id: r.id, name: String(r.name ?? r.url), url: r.url, token });
    }
    return settings;
  }

  list(): RunnerInfo[] {
    return [...this.runners.values()].map(({ token: _token, ...info }) => info);
  }

  get(id: string): RunnerEntry | undefined {
    return this.runners.get(id);
  }

  async add(entry: Omit<RunnerEntry, 'id'>): Promise<RunnerInfo> {
    const id = `runner-${randomBytes(4).toString('hex')}`;
    this.runners.set(id, { id, ...entry });
    await this.save();
    return { id, name: entry.name, url: entry.url };
  }

  async remove(id: string): Promise<boolean> {
    if (!this.runners.delete(id)) return false;
    await this.save();
    return true;
  }

  private save(): Promise<void> {
    const runners = [...this.runners.values()].map((r) => ({
      ...r,
      token: this.sealer ? this.sealer.seal(r.token) : r.token,
    }));
    const text = `${JSON.stringify({ format: FORMAT, runners } satisfies FileShape, null, 2)}\n`;
    const dir = dirname(this.file);
    const run = this.chain.then(async () => {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      await writeAtomic(dir, basename(this.file), text);
      // Tokens: readable by this user only.
      await chmod(this.file, 0o600);
    });
    this.chain = run.catch(() => undefined);
    return run;
  }
}

/** Where `sluice serve` keeps its runners unless told: the user's config directory, not the flows directory. */
export function defaultRunnersFile(env: NodeJS.ProcessEnv = process.env, home = homedir()): string {
  return join(env.XDG_CONFIG_HOME || join(home, '.config'), 'sluice', 'runners.json');
}
