/** The recently opened flow files (File > Open Recent), newest first, kept in the data directory. */
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';

const MAX = 10;

export class RecentFiles {
  private list: string[] = [];

  constructor(private readonly file: string) {
    try {
      const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
      if (Array.isArray(parsed)) this.list = parsed.filter((p): p is string => typeof p === 'string').slice(0, MAX);
    } catch {
      // none yet, or unreadable: start empty
    }
  }

  paths(): string[] {
    return [...this.list];
  }

  async add(path: string): Promise<void> {
    this.list = [path, ...this.list.filter((p) => p !== path)].slice(0, MAX);
    await writeFile(this.file, JSON.stringify(this.list, null, 2));
  }

  async clear(): Promise<void> {
    this.list = [];
    await writeFile(this.file, '[]');
  }
}
