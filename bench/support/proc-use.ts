/**
 * CPU and resident memory of another process, read from Linux's /proc, for a process the bench cannot ask (a plain
 * `sluice run`): CPU is utime + stime of /proc/<pid>/stat (every thread: the main one, libuv's pool, V8's GC
 * helpers), in clock ticks (10 ms at the usual 100 Hz, so measure over seconds); RSS is VmRSS of /proc/<pid>/status. Readings happen in this process: they cost the measured process nothing.
 */
import { readFileSync } from 'node:fs';

/** USER_HZ: Linux reports 100 ticks per second on every architecture it runs Node on. */
const TICK_US = 10_000;

/** User + system CPU time of `pid` so far, microseconds. */
export function cpuUsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) is in parentheses and may hold spaces: count fields after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 and 15 (utime, stime) are the 12th and 13th after the name.
  return (Number(fields[11]) + Number(fields[12])) * TICK_US;
}

/** Resident set size of `pid`, bytes. */
export function rssOf(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  if (kb === undefined) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(kb) * 1024;
}

/** Read and write system calls of `pid` so far (/proc/<pid>/io syscr + syscw: sockets, files, pipes). */
export function ioCallsOf(pid: number): number {
  const io = readFileSync(`/proc/${pid}/io`, 'utf8');
  const field = (name: string) => Number(new RegExp(`^${name}: (\\d+)$`, 'm').exec(io)?.[1] ?? Number.NaN);
  return field('syscr') + field('syscw');
}

export interface ProcUse {
  cpuUs: number;
  /** Read and write system calls. */
  ioCalls: number;
  maxRss: number;
  rssAtStart: number;
}

/** Samples `pid` from `start` until `stop`: CPU used, RSS at the start and the largest RSS read (every `everyMs`). */
export class ProcSampler {
  private cpu0 = 0;
  private io0 = 0;
  private rss0 = 0;
  private max = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly pid: number,
    private readonly everyMs = 20,
  ) {}

  start(): this {
    this.cpu0 = cpuUsOf(this.pid);
    this.io0 = ioCallsOf(this.pid);
    this.rss0 = rssOf(this.pid);
    this.max = this.rss0;
    this.timer = setInterval(() => this.sample(), this.everyMs);
    return this;
  }

  private sample(): void {
    const rss = rssOf(this.pid);
    if (rss > this.max) this.max = rss;
  }

  stop(): ProcUse {
    clearInterval(this.timer);
    this.sample();
    return {
      cpuUs: cpuUsOf(this.pid) - this.cpu0,
      ioCalls: ioCallsOf(this.pid) - this.io0,
      maxRss: this.max,
      rssAtStart: this.rss0,
    };
  }
}
