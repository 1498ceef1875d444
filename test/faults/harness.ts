/**
 * The fault suite's shared parts: the size of a run (short under `npm test`, long under `npm run test:faults`), a
 * publisher that knows which messages the broker acknowledged, `sluice run` as a child process, and the results
 * table. An oracle (oracles.ts) reads each sink directly; a message is lost when the broker acknowledged it to the
 * publisher and it never reached the sink, a duplicate when it reached the sink more than once.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { repoRoot } from '../support/cli.js';

/** `SLUICE_FAULTS=long` (npm run test:faults): more messages, longer outages, more kills. */
export const LONG = process.env.SLUICE_FAULTS === 'long';
export const size = <T>(short: T, long: T): T => (LONG ? long : short);

export const tmpDir = (what: string): string => {
  const dir = join(repoRoot, 'test/.tmp/faults', `${what}-${randomUUID().slice(0, 8)}`);
  mkdirSync(dir, { recursive: true });
  return dir;
};

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `check` every 100 ms until it holds or `ms` pass; resolves whether it held. */
export async function waitFor(check: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await sleep(100);
  }
  return check();
}

// ---------------------------------------------------------------- publisher

export interface PublishPlan {
  url: string;
  topic: string;
  /** Good messages: JSON `{ id, seq, n }`. */
  count: number;
  ratePerSecond: number;
  /** Every `poisonEvery`-th message is followed by a poison one: not JSON, or `n` that the flow cannot convert. */
  poisonEvery?: number;
}

/**
 * Publishes at a steady rate with QoS 1 from its own clean session; `acked` holds the ids of good messages the broker
 * acknowledged (mqtt.js keeps unacknowledged ones and resends them across reconnects, e.g. a broker restart).
 */
export class Publisher {
  readonly acked = new Set<string>();
  readonly run = randomUUID().slice(0, 8);
  poisonSent = 0;
  private client: MqttClient | undefined;
  private stopped = false;

  constructor(private readonly plan: PublishPlan) {}

  /** Resolves when every message was published and acknowledged. */
  async publishAll(): Promise<void> {
    const p = this.plan;
    const client = await mqtt.connectAsync(p.url, { clean: true, reconnectPeriod: 200, protocolVersion: 4 });
    this.client = client;
    const pending: Array<Promise<unknown>> = [];
    const perTick = Math.max(1, Math.round(p.ratePerSecond / 50));
    let seq = 0;
    while (seq < p.count && !this.stopped) {
      const tickEnd = Date.now() + 20;
      for (let i = 0; i < perTick && seq < p.count; i++, seq++) {
        const id = `${this.run}-${seq}`;
        pending.push(
          client.publishAsync(p.topic, JSON.stringify({ id, seq, n: String(seq) }), { qos: 1 }).then(() => {
            this.acked.add(id);
          }),
        );
        if (p.poisonEvery && seq % p.poisonEvery === p.poisonEvery - 1) {
          const bad =
            this.poisonSent % 2 === 0 ? `{not json ${seq}` : JSON.stringify({ id: `poison-${seq}`, seq, n: 'NaN?' });
          this.poisonSent++;
          pending.push(client.publishAsync(p.topic, bad, { qos: 1 }));
        }
      }
      await sleep(Math.max(0, tickEnd - Date.now()));
    }
    await Promise.all(pending);
  }

  async close(): Promise<void> {
    this.stopped = true;
    await this.client?.endAsync(true);
  }
}

// ---------------------------------------------------------------- sluice run

interface LogLine {
  level: number;
  msg: string;
  [k: string]: unknown;
}

/** `sluice run <flow>` from source (tsx), as the CLI tests run it; peak RSS read from /proc while it lives. */
export class SluiceRun {
  readonly lines: LogLine[] = [];
  stderr = '';
  /** The highest VmHWM seen (kB): the process's peak resident set. */
  peakRssKb = 0;
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;
  private readonly rssTimer: NodeJS.Timeout;

  private constructor(flowFile: string, logLevel: string) {
    this.child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', 'run', flowFile, '--log-level', logLevel],
      { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let buf = '';
    this.child.stdout?.on('data', (d: Buffer) => {
      buf += d.toString();
      const parts = buf.split('\n');
      buf = parts.pop() ?? '';
      for (const l of parts) if (l.startsWith('{')) this.lines.push(JSON.parse(l) as LogLine);
    });
    this.child.stderr?.on('data', (d: Buffer) => {
      this.stderr += d.toString();
    });
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
    this.rssTimer = setInterval(() => this.sampleRss(), 200);
    void this.exited.then(() => clearInterval(this.rssTimer));
  }

  static async start(flowFile: string, logLevel = 'info'): Promise<SluiceRun> {
    const run = new SluiceRun(flowFile, logLevel);
    const started = await waitFor(
      () => run.lines.some((l) => l.msg === 'flow started') || run.child.exitCode !== null,
      60_000,
    );
    if (!started || !run.lines.some((l) => l.msg === 'flow started')) {
      run.kill('SIGKILL');
      throw new Error(`sluice run did not start: ${run.stderr.slice(-500)}`);
    }
    return run;
  }

  private sampleRss(): void {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${this.child.pid}/status`, 'utf8'));
      if (m) this.peakRssKb = Math.max(this.peakRssKb, Number(m[1]));
    } catch {
      // exited between samples
    }
  }

  kill(signal: NodeJS.Signals): void {
    this.sampleRss();
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
  }

  warnings(): LogLine[] {
    return this.lines.filter((l) => l.level >= 40);
  }
}

// ---------------------------------------------------------------- results

export interface FaultResult {
  scenario: string;
  /** Good messages the broker acknowledged to the publisher. */
  messages: number;
  lost: number;
  duplicates: number;
  peakRssMb: number;
  /** From the end of the fault to the sink receiving again, ms (NaN when the scenario has no single fault end). */
  recoverMs: number;
  note?: string;
}

/** The whole run's results, for the table `npm run test:faults` prints at the end (test/faults/print-table.ts). */
const resultsFile = join(repoRoot, 'test/.tmp/faults/results.jsonl');
/** This test file's results, for its own table. */
export const recorded: FaultResult[] = [];

export function record(r: FaultResult): void {
  recorded.push(r);
  mkdirSync(join(repoRoot, 'test/.tmp/faults'), { recursive: true });
  appendFileSync(resultsFile, `${JSON.stringify(r)}\n`);
}

export function clearResults(): void {
  mkdirSync(join(repoRoot, 'test/.tmp/faults'), { recursive: true });
  writeFileSync(resultsFile, '');
}

export function readResults(): FaultResult[] {
  try {
    return readFileSync(resultsFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as FaultResult);
  } catch {
    return [];
  }
}

export function formatTable(rows: FaultResult[]): string {
  const head = ['scenario', 'messages', 'lost', 'duplicates', 'peak RSS', 'time to recover'];
  const body = rows.map((r) => [
    r.scenario,
    String(r.messages),
    String(r.lost),
    String(r.duplicates),
    `${r.peakRssMb.toFixed(0)} MB`,
    Number.isFinite(r.recoverMs) ? `${(r.recoverMs / 1000).toFixed(2)} s` : '-',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  const notes = rows.filter((r) => r.note).map((r) => `  ${r.scenario}: ${r.note}`);
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line), ...notes].join('\n');
}

/** This file's table (under `npm test` the only place the figures show). */
export function printTable(title: string, scenarios: string[]): void {
  const rows = recorded.filter((r) => scenarios.includes(r.scenario));
  if (rows.length) console.log(`\nFault suite (${LONG ? 'long' : 'short'}), ${title}\n${formatTable(rows)}\n`);
}
