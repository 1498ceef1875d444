/**
 * The package version, read once from package.json: for `sluice --version`, /api/health and the ops server. Where
 * package.json is depends on how this runs: one level up from src/ (tsx), two from dist/src/ (tsc) and dist/cli/
 * (the bundle). The name check keeps a stray package.json from answering.
 */
import { readFileSync } from 'node:fs';

let cached: string | undefined;

export function packageVersion(): string {
  cached ??= readVersion();
  return cached;
}

function readVersion(): string {
  for (const rel of ['../package.json', '../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'sluice' && pkg.version) return pkg.version;
    } catch {
      // try the next candidate
    }
  }
  return '0.0.0';
}
