/**
 * Calls from the editor's server to a remote runner's admin API (`sluice run --api`, or another `sluice serve`),
 * with its token. Every failure becomes an ApiError whose message names the runner and says what to do.
 */
import type { Problem } from '../../flow/problem.js';
import { ApiError } from '../errors.js';
import { CLIENT_HEADER } from '../security.js';
import type { RunnerEntry } from './settings.js';
import type { RunnerHealth } from './version.js';

const TIMEOUT_MS = 10_000;

type Target = Pick<RunnerEntry, 'name' | 'url' | 'token'>;

function base(url: string): string {
  return url.replace(/\/+$/, '');
}

export async function runnerCall<T>(runner: Target, method: string, path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`${base(runner.url)}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${runner.token}`,
        [CLIENT_HEADER]: 'sluice-editor',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(TIMEOUT_MS),
      redirect: 'error',
    });
  } catch (err) {
    const c = (err as { cause?: { code?: string; message?: string } }).cause;
    const cause = c?.code ?? c?.message ?? (err as Error).message;
    throw new ApiError(
      502,
      'runner-unreachable',
      `cannot reach runner "${runner.name}" at ${runner.url} (${cause}); check the address and that \`sluice run --api\` runs there`,
    );
  }
  const text = await res.text();
  let data: unknown;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    data = undefined;
  }
  if (res.status === 401) {
    throw new ApiError(
      400,
      'runner-unauthorized',
      `runner "${runner.name}" at ${runner.url} refused the token; use the token it was started with (--token or SLUICE_TOKEN)`,
    );
  }
  if (!res.ok) {
    const e = (data as { error?: { code?: string; message?: string; problems?: Problem[] } } | undefined)?.error;
    if (!e?.message) {
      throw new ApiError(
        502,
        'runner-invalid',
        `${runner.url} answered ${res.status} and is not a Sluice runner; check the address`,
      );
    }
    // The runner's own refusal (an invalid flow, a failed start), said as the runner's.
    throw new ApiError(
      res.status === 404 ? 404 : 400,
      e.code ?? 'runner-error',
      `runner "${runner.name}": ${e.message}`,
      e.problems,
    );
  }
  return data as T;
}

/** The runner's health: a Sluice answers `{ ok, version, formats }` (with the token). */
export async function runnerHealth(runner: Target): Promise<RunnerHealth> {
  const h = await runnerCall<RunnerHealth>(runner, 'GET', '/api/health');
  if (typeof h !== 'object' || h === null || h.ok !== true || typeof h.version !== 'string') {
    throw new ApiError(502, 'runner-invalid', `${runner.url} is not a Sluice runner (its /api/health is not Sluice's)`);
  }
  return h;
}
