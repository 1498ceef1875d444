/** Messages between the bench (parent) and its load processes (bench/support/load-child.ts). */

/** What a sink-side reader listens to. */
export type ReaderSpec =
  | { kind: 'mqtt'; url: string; topic: string }
  | { kind: 'amqp'; url: string; queue: string }
  /** LISTEN on a channel; each notification's payload is the publish timestamp (epoch ms). */
  | { kind: 'pg'; connectionString: string; channel: string }
  /** A kafkajs consumer in its own group, from the beginning of `topic`. */
  | { kind: 'kafka'; brokers: string[]; topic: string; groupId: string };

export type ToPublisher =
  /**
   * Publish `count` messages under `root`: at `rate` msg/s (open loop), or else on credit (see `grant`), round robin
   * over `devices` topics `<root>/dev-<n>/temperature` (default 10).
   */
  | { op: 'publish'; run: number; root: string; count: number; rate?: number; devices?: number }
  /** Credit mode: publish up to message number `allowed` of this run. */
  | { op: 'grant'; run: number; allowed: number }
  | { op: 'quit' };

export type FromPublisher =
  | { op: 'ready' }
  | { op: 'failed'; message: string }
  /** Every publish of the run was acknowledged by the broker (PUBACK). */
  | { op: 'published'; run: number; count: number; firstAt: number; lastAt: number; cpuUs: number };

export type ToReader =
  | { op: 'reset'; run: number }
  /** Reply once `want` messages arrived since the reset, or after `waitMs`. */
  | { op: 'report'; run: number; want: number; waitMs: number; latencies: boolean }
  /** Reply at once with how many arrived since the reset (to give credit by what reached the sink's service). */
  | { op: 'count'; run: number }
  | { op: 'quit' };

export type FromReader =
  | { op: 'ready' }
  | { op: 'failed'; message: string }
  | { op: 'reset'; run: number }
  | { op: 'count'; run: number; count: number }
  | {
      op: 'report';
      run: number;
      count: number;
      /** Wall-clock arrival of the first and last message since the reset (epoch ms). */
      firstAt: number;
      lastAt: number;
      /** Arrival minus the publish timestamp carried in the message, ms, in arrival order. */
      latencies: number[];
      cpuUs: number;
    };
