/** Whether a runner can run a flow: its `/api/health` lists the flow formats it reads. */
import { FLOW_FORMAT } from '../../flow/document.js';

export interface RunnerHealth {
  ok?: boolean;
  version?: string;
  role?: string;
  formats?: unknown;
}

/** Why this runner cannot run flows of `format` (a sentence saying what to do), or undefined when it can. */
export function formatProblem(
  runnerName: string,
  health: RunnerHealth,
  format: string = FLOW_FORMAT,
): string | undefined {
  const formats = Array.isArray(health.formats) ? health.formats.filter((f) => typeof f === 'string') : [];
  if (formats.includes(format)) return undefined;
  const version = health.version ? `Sluice ${health.version}` : 'an unknown Sluice version';
  const reads = formats.length ? `reads ${formats.join(', ')}` : 'does not say which flow formats it reads';
  return `runner "${runnerName}" (${version}) ${reads}, not ${format}: upgrade the runner to a Sluice that reads ${format}`;
}
