/**
 * Reads the final stage of the top-level Dockerfile (ENV, WORKDIR, ENTRYPOINT, CMD, HEALTHCHECK, USER), so the
 * production-install test runs what the image runs instead of a copy of it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../support/cli.js';

export interface ImageSpec {
  env: Record<string, string>;
  workdir: string;
  user: string;
  entrypoint: string[];
  cmd: string[];
  healthcheck: string[];
  volumes: string[];
  /** Every instruction of every stage, `[keyword, arguments]`, continuation lines joined. */
  instructions: Array<[string, string]>;
}

function jsonArray(text: string, what: string): string[] {
  const value: unknown = JSON.parse(text);
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw new Error(`Dockerfile ${what} must be a JSON array of strings (exec form), not ${text}`);
  }
  return value;
}

/** `KEY=value KEY2=value2` (values without spaces, or double-quoted). */
function envPairs(text: string, env: Record<string, string>): void {
  for (const m of text.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|\S*)/g)) {
    env[m[1]] = m[2].startsWith('"') ? (JSON.parse(m[2]) as string) : m[2];
  }
}

export function readDockerfile(path = join(repoRoot, 'Dockerfile')): ImageSpec {
  const lines = readFileSync(path, 'utf8')
    .replace(/\\\r?\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const instructions = lines.map((l): [string, string] => {
    const space = l.search(/\s/);
    return [l.slice(0, space).toUpperCase(), l.slice(space + 1).trim()];
  });
  const lastFrom = instructions.map(([k]) => k).lastIndexOf('FROM');
  const spec: ImageSpec = {
    env: {},
    workdir: '/',
    user: 'root',
    entrypoint: [],
    cmd: [],
    healthcheck: [],
    volumes: [],
    instructions,
  };
  for (const [keyword, args] of instructions.slice(lastFrom + 1)) {
    if (keyword === 'ENV') envPairs(args, spec.env);
    else if (keyword === 'WORKDIR') spec.workdir = args;
    else if (keyword === 'USER') spec.user = args;
    else if (keyword === 'ENTRYPOINT') spec.entrypoint = jsonArray(args, 'ENTRYPOINT');
    else if (keyword === 'CMD') spec.cmd = jsonArray(args, 'CMD');
    else if (keyword === 'VOLUME') spec.volumes = jsonArray(args, 'VOLUME');
    else if (keyword === 'HEALTHCHECK')
      spec.healthcheck = jsonArray(args.slice(args.indexOf('CMD') + 3).trim(), 'HEALTHCHECK');
  }
  return spec;
}
