/**
 * Sluice against the raw client doing the same work, in this process: runs are interleaved (warm-up of each first),
 * and each side's median rate and CPU per message are reported with the ratio of the rates.
 */
import { type BenchResult, median } from '../types.js';

export interface Measured {
  rate: number;
  cpuUsPerMsg: number;
}

/** Time `work` (which handles `count` messages) and the CPU this process spent on it. */
export async function measured(count: number, work: () => Promise<void>): Promise<Measured> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await work();
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { rate: (count / ms) * 1000, cpuUsPerMsg: (cpu.user + cpu.system) / count };
}

export async function versus(
  name: string,
  count: number,
  runs: number,
  sluice: () => Promise<Measured>,
  raw: () => Promise<Measured>,
): Promise<BenchResult[]> {
  await sluice();
  await raw();
  const s: Measured[] = [];
  const r: Measured[] = [];
  for (let i = 0; i < runs; i++) {
    s.push(await sluice());
    r.push(await raw());
  }
  const sRate = median(s.map((m) => m.rate));
  const rRate = median(r.map((m) => m.rate));
  return [
    { name, value: sRate, unit: 'msg/s', note: `median of ${runs} x ${count.toLocaleString('en-US')}` },
    { name: '  CPU of this process per message', value: median(s.map((m) => m.cpuUsPerMsg)), unit: 'us/msg' },
    { name: '  raw client, same work', value: rRate, unit: 'msg/s' },
    { name: '  raw client CPU per message', value: median(r.map((m) => m.cpuUsPerMsg)), unit: 'us/msg' },
    { name: '  Sluice / raw', value: (sRate / rRate) * 100, unit: '%' },
  ];
}

export async function until(done: () => boolean): Promise<void> {
  while (!done()) await new Promise((r) => setTimeout(r, 2));
}
