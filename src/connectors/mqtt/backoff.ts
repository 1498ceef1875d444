/**
 * Reconnect with exponential backoff and jitter. mqtt.js retries at a fixed `reconnectPeriod`, read each time a
 * connection closes; this keeps that value at the next backoff delay. Failed attempts grow it, a successful
 * connect resets it, and `strike()` (a connection dropped on purpose to get nacked messages redelivered) grows
 * it until the flow makes progress again, so a message that always fails does not cause a reconnect storm.
 */
import type { MqttClient } from 'mqtt';
import { backoffDelay } from '../../kit/retry.js';

export class ReconnectBackoff {
  private failures = 0;
  private strikes = 0;

  constructor(
    private readonly client: MqttClient,
    private readonly minMs: number,
    private readonly maxMs: number,
  ) {
    client.on('connect', () => {
      this.failures = 0;
      this.update();
    });
    client.on('reconnect', () => {
      this.failures++;
      this.update();
    });
    this.update();
  }

  /** Delay before the next reconnect attempt. */
  get nextDelayMs(): number {
    return this.client.options.reconnectPeriod ?? this.minMs;
  }

  strike(): void {
    this.strikes++;
    this.update();
  }

  progress(): void {
    if (this.strikes === 0) return;
    this.strikes = 0;
    this.update();
  }

  private update(): void {
    const n = this.failures + this.strikes;
    // Must stay > 0: mqtt.js only reconnects (and remembers subscriptions) with a positive period.
    this.client.options.reconnectPeriod = Math.max(
      100,
      n === 0 ? this.minMs : backoffDelay(n + 1, this.minMs, this.maxMs),
    );
  }
}
