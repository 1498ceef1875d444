/**
 * What Sluice needs from a Kafka client library, in Sluice's own terms. Everything else in this folder (batching,
 * offset tracking, pause, rebalance handling, status) is written against these interfaces; only `kafkajs/` knows
 * kafkajs, so another library (e.g. @platformatic/kafka) can replace it by implementing them.
 */
import type { Logger } from '../../spec/runtime-contract.js';
import type { KafkaSettings } from './settings.js';

/** A record to produce. */
export interface OutRecord {
  topic: string;
  key: string | null;
  value: Buffer | null;
  /** A repeated header name: its values in order. */
  headers: Record<string, string | string[]>;
  /** Milliseconds since the epoch as text (the record's CreateTime; Kafka's int64). */
  timestamp: string;
}

export type Acks = -1 | 0 | 1;
export type Compression = 'none' | 'gzip';
export type Partitioner = 'default' | 'legacy' | 'round-robin';

export interface SendOptions {
  acks: Acks;
  compression: Compression;
  /** How long the broker may wait for the replicas (acks all). */
  timeoutMs: number;
}

export interface ProducerDriver {
  connect(): Promise<void>;
  /** Resolves when the broker acknowledged every record (per `acks`); rejects with a DriverError. */
  send(records: OutRecord[], options: SendOptions): Promise<void>;
  disconnect(): Promise<void>;
}

/** A consumed record. */
export interface InRecord {
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers?: Record<string, Buffer | string | undefined | Array<Buffer | string>>;
  /** Milliseconds since the epoch, as text (Kafka's int64). */
  timestamp: string;
}

export interface InBatch {
  topic: string;
  partition: number;
  records: InRecord[];
}

/** Given with each batch: what the handler may do while it holds the batch. */
export interface BatchControl {
  /** The record at `offset` was taken: the next fetch of this partition starts after it. Not a commit. */
  taken(offset: string): void;
  /** Keep the group membership alive during a long wait (sent only when the heartbeat interval elapsed). */
  heartbeat(): Promise<void>;
  /** False once the batch must be dropped: a seek is pending, the consumer is stopping or rebalancing. */
  usable(): boolean;
}

export interface TopicPartition {
  topic: string;
  partition: number;
}

export interface ConsumerEvents {
  /** The member joined (or re-joined) the group with this assignment. Fetching restarts at the committed offsets. */
  joined(assignment: TopicPartition[]): void;
  /** The consumer failed; `restarting` says whether the library restarts it by itself. */
  crashed(error: Error, restarting: boolean): void;
}

export interface ConsumerOptions {
  groupId: string;
  topics: string[];
  fromBeginning: boolean;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  rebalanceTimeoutMs: number;
  maxWaitTimeMs: number;
  maxBytesPerPartition: number;
}

export interface ConsumerDriver {
  /** Connect, subscribe and start fetching; resolves once fetching started (the first join may still be pending). */
  run(handler: (batch: InBatch, control: BatchControl) => Promise<void>, events: ConsumerEvents): Promise<void>;
  /** Stop fetching these partitions (`partition` undefined: the whole topic) until `resume`. */
  pause(topics: Array<{ topic: string; partitions?: number[] }>): void;
  resume(topics: Array<{ topic: string; partitions?: number[] }>): void;
  /** The next fetch of the partition starts at `offset`. */
  seek(tp: TopicPartition, offset: string): void;
  /** Commit "next offset to read" per partition for the group. */
  commit(offsets: Array<TopicPartition & { offset: string }>): Promise<void>;
  /** Leave the group and close the connections (in-flight fetches finish first). */
  disconnect(): Promise<void>;
}

export interface KafkaDriver {
  producer(partitioner: Partitioner): ProducerDriver;
  consumer(options: ConsumerOptions): ConsumerDriver;
  /** Connect an admin client, fetch the cluster metadata, disconnect. */
  check(): Promise<void>;
}

export type CreateDriver = (settings: KafkaSettings, log: Logger) => KafkaDriver;

/** A failure reported by a driver; `retriable` says whether trying again may succeed. */
export class DriverError extends Error {
  override name = 'KafkaError';
  constructor(
    message: string,
    readonly retriable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
