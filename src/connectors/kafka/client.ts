/**
 * What a `kafka` connection opens: a client shared by the flow's Kafka nodes. Nothing connects until a node asks:
 * kafka-out nodes share one producer per partitioner, each kafka-in node gets a consumer of its own.
 */
import type { Logger } from '../../spec/runtime-contract.js';
import type { ConsumerDriver, ConsumerOptions, CreateDriver, KafkaDriver, Partitioner } from './driver.js';
import { createKafkajsDriver } from './kafkajs/index.js';
import type { KafkaSettings } from './settings.js';
import { SharedProducer } from './shared-producer.js';

export class KafkaClient {
  private readonly driver: KafkaDriver;
  private readonly producers = new Map<Partitioner, SharedProducer>();

  constructor(
    readonly settings: KafkaSettings,
    private readonly log: Logger,
    createDriver: CreateDriver = createKafkajsDriver,
  ) {
    this.driver = createDriver(settings, log);
  }

  /** The shared producer for this partitioner, connecting in the background from the first call. */
  producer(partitioner: Partitioner): SharedProducer {
    let p = this.producers.get(partitioner);
    if (!p) {
      p = new SharedProducer(
        this.driver.producer(partitioner),
        { baseMs: this.settings.reconnectDelayMs, maxMs: this.settings.reconnectMaxDelayMs },
        this.log,
      );
      this.producers.set(partitioner, p);
      void p.start();
    }
    return p;
  }

  consumer(options: ConsumerOptions): ConsumerDriver {
    return this.driver.consumer(options);
  }

  check(): Promise<void> {
    return this.driver.check();
  }

  async close(): Promise<void> {
    const all = [...this.producers.values()];
    this.producers.clear();
    await Promise.all(all.map((p) => p.close()));
  }
}
