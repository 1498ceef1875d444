/**
 * A bounded pool of warm sandbox worker threads. Each sandbox lives in one worker (its slot); jobs for a
 * worker are batched (one postMessage per turn) and pipelined, and run there one at a time. A watchdog on this
 * thread reads which job the worker runs and since when (shared memory) and terminates the worker when that job
 * outlives its limit plus a margin: user code can never block this thread or outrun its limit by more than the
 * margin, whatever it does. A replacement worker starts at once; the other sandboxes of the killed worker are
 * reopened there and their queued jobs re-sent (their context state is lost, as after any rebuild).
 */
import { availableParallelism } from 'node:os';
import { MessageChannel, type MessagePort, receiveMessageOnPort, type Worker } from 'node:worker_threads';
import { memoryError, timeoutError } from './classify.js';
import {
  forEachResult,
  type Job,
  type JobResult,
  MIN_COMPILE_MS,
  type NewJob,
  now,
  OPEN_EXTRA_MS,
  PROGRESS_BYTES,
  Progress,
  type SerializedError,
  type WorkerReply,
  type WorkerSandboxOptions,
} from './protocol.js';
import { spawnSandboxWorker } from './spawn.js';

export interface PoolOptions {
  /** Worker threads (default: the CPU count, between 1 and 4). */
  size?: number;
  /** How far past its limit a job may run before its worker is terminated (default 25 ms). */
  marginMs?: number;
  /** Largest result (characters of JSON) a call may return: parsing it happens on this thread. */
  maxResultChars?: number;
  /** V8 heap per worker, MB (default 256). */
  heapMb?: number;
}

export const DEFAULT_MARGIN_MS = 25;
/** JSON.parse of 4 M characters takes ~20 ms: a result this large still keeps this thread responsive. */
export const DEFAULT_MAX_RESULT_CHARS = 4 * 2 ** 20;
/** A job re-sent after this many worker crashes it was queued behind (cause unknown) fails instead. */
const MAX_ATTEMPTS = 3;
/** Batches sent to a worker and not yet answered: two keep it busy while results travel back. */
const MAX_BATCHES_IN_FLIGHT = 2;

/** A Map that says when it changes (the slot refs its thread while jobs are pending). */
class PendingJobs extends Map<number, Pending> {
  constructor(private readonly changed: () => void) {
    super();
  }
  override set(seq: number, p: Pending): this {
    super.set(seq, p);
    this.changed?.();
    return this;
  }
  override delete(seq: number): boolean {
    const had = super.delete(seq);
    if (had) this.changed();
    return had;
  }
  override clear(): void {
    super.clear();
    this.changed();
  }
}

interface Pending {
  job: Job;
  limitMs: number;
  attempts: number;
  resolve: (result: JobResult) => void;
}

/** A sandbox as its slot knows it: the options to reopen it with after a worker is replaced. */
export interface SlotMember {
  readonly sid: number;
  readonly options: WorkerSandboxOptions;
  /** A reopen in a replacement worker failed: the next call opens it again first. */
  needsOpen?: boolean;
}

/** One worker thread. Its events go to the slot that owns it; a spare has no owner until a slot claims it. */
class SandboxThread {
  readonly progress = new Progress(new SharedArrayBuffer(PROGRESS_BYTES));
  readonly thread: Worker;
  /** This side of the channel the jobs and results travel on (see protocol.ts). */
  private readonly port: MessagePort;
  ready = false;
  dead = false;
  batches = 0;
  /** Set when the thread reported an error just before exiting (e.g. its heap limit). */
  lastError: unknown;
  owner: WorkerSlot | undefined;
  /** Settles when the thread is ready or gone. */
  readonly started: Promise<void>;
  private markStarted: () => void = () => undefined;

  constructor(options: Required<PoolOptions>) {
    this.started = new Promise<void>((resolve) => {
      this.markStarted = resolve;
    });
    const channel = new MessageChannel();
    this.port = channel.port1;
    this.thread = spawnSandboxWorker(
      { progress: this.progress.buffer, maxResultChars: options.maxResultChars, port: channel.port2 },
      { heapMb: options.heapMb },
      [channel.port2],
    );
    this.port.on('message', (reply: WorkerReply) => this.reply(reply));
    // The thread, not the port, keeps the process alive (see hold()).
    this.port.unref();
    this.thread.on('error', (err) => {
      this.lastError = err;
    });
    this.thread.on('exit', (code) => {
      this.markStarted();
      if (this.dead) return;
      // Results the thread sent before it stopped count: only the job it was running is lost.
      this.takeReplies();
      this.dead = true;
      this.port.close();
      this.owner?.lost(this, code);
    });
    this.thread.unref();
  }

  /** Handles the replies already sent but not yet delivered (before the thread is stopped or mourned). */
  takeReplies(): void {
    for (let m = receiveMessageOnPort(this.port); m && !this.dead; m = receiveMessageOnPort(this.port)) {
      this.reply(m.message as WorkerReply);
    }
  }

  private reply(reply: WorkerReply): void {
    if (this.dead) return;
    if (reply.kind === 'ready') {
      this.ready = true;
      this.markStarted();
      this.owner?.holdThread();
      if (!this.owner) this.hold(false);
    }
    this.owner?.received(this, reply);
  }

  private held = false;

  /** A thread keeps the process alive only while it starts or has jobs: an idle pool must not hold it open. */
  hold(busy: boolean): void {
    const held = busy || !this.ready;
    // Called on every job's start and end: touch the handle only when the state changes.
    if (held === this.held) return;
    this.held = held;
    if (held) this.thread.ref();
    else this.thread.unref();
  }

  /** Sends a batch of jobs and wakes the worker. */
  post(batch: Job[]): void {
    this.port.postMessage(batch);
    this.progress.wake();
  }

  stop(): void {
    this.dead = true;
    this.port.close();
    void this.thread.terminate();
  }
}

export function openLimit(options: WorkerSandboxOptions): number {
  return Math.max(options.timeoutMs, MIN_COMPILE_MS) + OPEN_EXTRA_MS;
}

export class WorkerSlot {
  readonly members = new Set<SlotMember>();
  private live: SandboxThread | undefined;
  private readonly pending = new PendingJobs(() => this.holdThread());
  private outbox: Job[] = [];
  private flushQueued = false;
  private watchdog: NodeJS.Timeout | undefined;
  /** When the armed check runs (performance.now() time). */
  private watchdogAt = 0;
  /** The shortest limit among the jobs in the outbox. */
  private outboxShortest = Number.POSITIVE_INFINITY;
  private seq = 0;
  /** Workers terminated because a job outlived its limit, or lost to a crash. */
  kills = 0;

  constructor(
    private readonly pool: Required<PoolOptions>,
    /** A ready spare thread when the pool has one, else a new thread. */
    private readonly claim: () => SandboxThread,
  ) {}

  /** Starts the worker now (a warm pool), so the first job does not wait for it. */
  warm(): void {
    this.ensureWorker();
  }

  /** Queues a job; resolves with its result (a failure is a result with `error`, never a rejection). */
  submit(job: NewJob, limitMs: number): Promise<JobResult> {
    // Numbered in place (the caller's object is not kept): one object less per call.
    const full = job as Job;
    full.seq = ++this.seq;
    return new Promise<JobResult>((resolve) => {
      this.pending.set(full.seq, { job: full, limitMs, attempts: 0, resolve });
      this.enqueue(full, limitMs);
    });
  }

  /** Closing needs no answer; a worker that no longer has the sandbox ignores it. */
  close(member: SlotMember): void {
    this.members.delete(member);
    if (this.live) this.enqueue({ kind: 'close', seq: ++this.seq, sid: member.sid });
  }

  /** Settles when this slot's thread (if it has one) has started. */
  started(): Promise<void> {
    return this.live?.started ?? Promise.resolve();
  }

  terminate(): void {
    const live = this.live;
    this.live = undefined;
    clearTimeout(this.watchdog);
    this.watchdog = undefined;
    live?.stop();
    this.failAll({ kind: 'user', message: 'the sandbox pool was closed' });
  }

  private enqueue(job: Job, limitMs = Number.POSITIVE_INFINITY): void {
    this.outbox.push(job);
    if (limitMs < this.outboxShortest) this.outboxShortest = limitMs;
    this.ensureWorker();
    if (!this.flushQueued) {
      this.flushQueued = true;
      queueMicrotask(() => {
        this.flushQueued = false;
        this.flush();
      });
    }
  }

  private flush(): void {
    const live = this.live;
    if (!live?.ready || live.batches >= MAX_BATCHES_IN_FLIGHT || this.outbox.length === 0) return;
    const batch = this.outbox;
    this.outbox = [];
    live.batches++;
    live.post(batch);
    // A job sent now starts now at the earliest, so it cannot be due before now + its limit + the margin.
    const shortest = this.outboxShortest;
    this.outboxShortest = Number.POSITIVE_INFINITY;
    if (shortest !== Number.POSITIVE_INFINITY) this.armBy(performance.now() + shortest + this.pool.marginMs);
  }

  private ensureWorker(): void {
    if (this.live) return;
    const live = this.claim();
    live.owner = this;
    this.live = live;
    this.holdThread();
  }

  /** For SandboxThread and the pending jobs: ref the live thread while it starts or has jobs. */
  holdThread(): void {
    this.live?.hold(this.pending.size > 0);
  }

  /** For SandboxThread: a reply of the thread this slot owns. */
  received(live: SandboxThread, reply: WorkerReply): void {
    if (live !== this.live) return;
    if (reply.kind === 'results') {
      if (reply.batchDone) live.batches--;
      forEachResult(reply.results, (r) => {
        const p = this.pending.get(r.seq);
        if (!p) return;
        this.pending.delete(r.seq);
        p.resolve(r);
      });
    }
    this.flush();
  }

  /**
   * Makes sure a check runs by `at` (performance.now() time). A check finds the running job due, or arms the
   * next one; the timer is not cleared when the jobs are done (that check finds nothing and stops), so a steady
   * stream of calls costs one timer per limit, not one per call.
   */
  private armBy(at: number): void {
    if (this.watchdog && this.watchdogAt <= at) return;
    clearTimeout(this.watchdog);
    this.watchdogAt = at;
    this.watchdog = setTimeout(
      () => {
        this.watchdog = undefined;
        this.check();
      },
      Math.max(1, Math.ceil(at - performance.now())),
    );
    // The thread is held (ref'd) while jobs are pending; an idle slot's leftover check must not hold the process.
    this.watchdog.unref();
  }

  private check(): void {
    const live = this.live;
    if (!live || this.pending.size === 0) return;
    const running = live.progress.read();
    const t = now();
    // A job that starts after now cannot be due before now + the shortest limit waiting.
    let shortest = Number.POSITIVE_INFINITY;
    for (const p of this.pending.values()) shortest = Math.min(shortest, p.limitMs);
    let next = t + shortest + this.pool.marginMs;
    if (running) {
      const due = running.startedAt + running.limitMs + this.pool.marginMs;
      if (t >= due) {
        this.kill(live, running);
        return;
      }
      next = Math.min(next, due);
    }
    this.armBy(performance.now() + Math.max(1, next - t));
  }

  /** The job `seq` outlived its limit: stop its worker hard, fail the job, carry on with a new worker. */
  private kill(live: SandboxThread, running: { seq: number; startedAt: number }): void {
    const seq = running.seq;
    live.takeReplies();
    if (this.live !== live) return;
    live.stop();
    this.kills++;
    this.live = undefined;
    const culprit = this.pending.get(seq);
    this.pending.delete(seq);
    if (culprit) culprit.resolve({ seq, startedAt: running?.startedAt, error: serializeTimeout(culprit) });
    this.restart();
  }

  /** The worker exited by itself (a crash, its heap limit): the job it ran fails, the rest are re-sent. */
  lost(live: SandboxThread, code: number): void {
    if (live !== this.live) return;
    this.live = undefined;
    this.kills++;
    if (!live.ready) {
      // It never started: re-spawning would fail the same way, so the waiting jobs fail with the reason.
      const why = live.lastError instanceof Error ? live.lastError.message : `exit code ${code}`;
      this.failAll({ kind: 'user', message: `the sandbox worker could not start: ${why}` });
      return;
    }
    const outOfMemory = (live.lastError as { code?: unknown } | undefined)?.code === 'ERR_WORKER_OUT_OF_MEMORY';
    const running = live.progress.read();
    const culprit = running && this.pending.get(running.seq);
    if (culprit) {
      this.pending.delete(culprit.job.seq);
      culprit.resolve({ seq: culprit.job.seq, error: crashError(culprit, outOfMemory, this.pool.heapMb, code) });
    }
    for (const p of [...this.pending.values()]) {
      if (++p.attempts < MAX_ATTEMPTS) continue;
      this.pending.delete(p.job.seq);
      p.resolve({ seq: p.job.seq, error: crashError(p, outOfMemory, this.pool.heapMb, code) });
    }
    this.restart();
  }

  /** A new worker: reopen every member, then re-send the jobs still waiting, in their order. */
  private restart(): void {
    clearTimeout(this.watchdog);
    this.watchdog = undefined;
    const opens = new Map<number, Job>();
    const rest: Job[] = [];
    for (const p of this.pending.values()) {
      if (p.job.kind === 'open') opens.set(p.job.sid, p.job);
      else if (p.job.kind === 'call') rest.push(p.job);
    }
    const reopen: Job[] = [];
    for (const m of this.members) {
      const waiting = opens.get(m.sid);
      if (waiting) {
        reopen.push(waiting);
        continue;
      }
      reopen.push(this.reopenJob(m));
    }
    this.outbox = [...reopen, ...rest];
    if (this.outbox.length === 0) return;
    for (const p of this.pending.values()) this.outboxShortest = Math.min(this.outboxShortest, p.limitMs);
    this.ensureWorker();
    this.flush();
  }

  /** An open for `m` nobody waits for: when it fails, the member's next call tries again (see reopen()). */
  private reopenJob(m: SlotMember): Job {
    m.needsOpen = false;
    const job: Job = { kind: 'open', seq: ++this.seq, sid: m.sid, options: m.options };
    const resolve = (r: JobResult) => {
      if (r.error) m.needsOpen = true;
    };
    this.pending.set(job.seq, { job, limitMs: openLimit(m.options), attempts: 0, resolve });
    return job;
  }

  /** Before a call: reopens `m` if its last reopen failed, so one failure does not fail every later call. */
  reopen(m: SlotMember): void {
    if (m.needsOpen && this.members.has(m)) this.enqueue(this.reopenJob(m), openLimit(m.options));
  }

  private failAll(error: SerializedError): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    this.outbox = [];
    for (const p of all) p.resolve({ seq: p.job.seq, error });
  }
}

function serializeTimeout(p: Pending): SerializedError {
  return { kind: 'timeout', message: timeoutError(p.limitMs).message };
}

function crashError(p: Pending, outOfMemory: boolean, heapMb: number, code: number): SerializedError {
  if (outOfMemory) return { kind: 'memory', message: memoryError(heapMb * 2 ** 20).message };
  const doing = p.job.kind === 'open' ? 'loading the code' : 'running the code';
  return { kind: 'user', message: `the sandbox worker stopped while ${doing} (exit code ${code}) and was replaced` };
}

export class SandboxPool {
  private readonly slots: WorkerSlot[];
  private readonly options: Required<PoolOptions>;
  private nextSid = 0;
  private spare: SandboxThread | undefined;
  private closed = false;

  constructor(options: PoolOptions = {}) {
    const size = options.size ?? Math.min(4, Math.max(1, availableParallelism()));
    if (!(Number.isInteger(size) && size >= 1)) throw new RangeError('the pool size must be a positive integer');
    this.options = {
      size,
      marginMs: options.marginMs ?? DEFAULT_MARGIN_MS,
      maxResultChars: options.maxResultChars ?? DEFAULT_MAX_RESULT_CHARS,
      heapMb: options.heapMb ?? 256,
    };
    this.slots = Array.from({ length: size }, () => new WorkerSlot(this.options, () => this.claim()));
  }

  /**
   * A ready spare when there is one (a killed worker is replaced at once), else a new thread; either way a new
   * spare starts, so the next replacement is ready too.
   */
  private claim(): SandboxThread {
    const spare = this.spare;
    this.spare = undefined;
    if (!this.closed) this.spare = new SandboxThread(this.options);
    return spare && !spare.dead ? spare : new SandboxThread(this.options);
  }

  get size(): number {
    return this.slots.length;
  }

  get marginMs(): number {
    return this.options.marginMs;
  }

  /** Workers terminated or lost so far (each was replaced). */
  get kills(): number {
    return this.slots.reduce((n, s) => n + s.kills, 0);
  }

  /** Starts every worker now. */
  warm(): void {
    for (const s of this.slots) s.warm();
  }

  /** The slot with the fewest sandboxes, so sandboxes share a worker only when there are more than workers. */
  place(options: WorkerSandboxOptions): { slot: WorkerSlot; member: SlotMember } {
    let best = this.slots[0];
    for (const s of this.slots) if (s.members.size < best.members.size) best = s;
    const member: SlotMember = { sid: ++this.nextSid, options };
    best.members.add(member);
    return { slot: best, member };
  }

  /** Settles when every started worker and the spare are ready (e.g. before timing calls). */
  async ready(): Promise<void> {
    await Promise.all([...this.slots.map((s) => s.started()), this.spare?.started]);
  }

  /** Terminates every worker; jobs still waiting fail. */
  close(): void {
    this.closed = true;
    this.spare?.stop();
    this.spare = undefined;
    for (const s of this.slots) s.terminate();
  }
}
