/**
 * Unsaved edits kept on disk while the app runs (one file per window, rewritten as the user edits), so a crash or a
 * power cut loses nothing: the next start offers them back. A window that closes normally removes its file.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeAtomic } from '../server/store.js';
import type { RecoveredDocument } from './bridge.js';

function isDocument(v: unknown): v is RecoveredDocument {
  const d = v as RecoveredDocument;
  return typeof d === 'object' && d !== null && typeof d.name === 'string' && typeof d.text === 'string';
}

export class Recovery {
  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  private fileOf(windowKey: string): string {
    return `${windowKey}.json`;
  }

  async save(windowKey: string, documents: RecoveredDocument[]): Promise<void> {
    if (documents.length === 0) return this.clear(windowKey);
    await writeAtomic(this.dir, this.fileOf(windowKey), JSON.stringify({ savedAt: Date.now(), documents }));
  }

  clear(windowKey: string): void {
    rmSync(join(this.dir, this.fileOf(windowKey)), { force: true });
  }

  /** What an earlier run left behind (it did not close its windows normally); the files are removed. */
  takeAll(): RecoveredDocument[] {
    const out: RecoveredDocument[] = [];
    for (const name of readdirSync(this.dir)) {
      if (!name.endsWith('.json') || name.startsWith('.')) continue;
      const path = join(this.dir, name);
      try {
        const parsed = JSON.parse(readFileSync(path, 'utf8')) as { documents?: unknown };
        if (Array.isArray(parsed.documents)) out.push(...parsed.documents.filter(isDocument));
      } catch {
        // a torn file from the crash itself: nothing to restore from it
      }
      rmSync(path, { force: true });
    }
    return out;
  }
}
