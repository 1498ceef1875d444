/** Connecting and disconnecting an mqtt.js client without hanging on a broker that is away. */
import type { MqttClient } from 'mqtt';
import type { Logger, NodeStatus } from '../../spec/runtime-contract.js';

export interface Subscription {
  topic: string;
  qos: 0 | 1 | 2;
}

/** Resolves when connected (undefined), or with the first failure (the client keeps retrying if configured to). */
export function firstAttempt(client: MqttClient): Promise<Error | undefined> {
  return new Promise((resolve) => {
    const done = (err?: Error) => {
      client.off('connect', ok);
      client.off('error', done);
      client.off('close', closed);
      resolve(err);
    };
    const ok = () => done();
    const closed = () => done(new Error('the broker closed the connection'));
    client.once('connect', ok);
    client.once('error', done);
    client.once('close', closed);
  });
}

/**
 * DISCONNECT politely; destroy the socket if that takes longer than `graceMs` (mqtt.js waits for unanswered
 * outgoing packets first, and ignores a second `end`).
 */
export function endClient(client: MqttClient, graceMs = 2000): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      client.stream?.destroy();
      resolve();
    }, graceMs);
    client.end(false, () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/**
 * Subscribe; resolves once the broker answered, or at the first connection failure (the client keeps retrying and
 * sends the subscription when it connects), so a flow starts even while its broker is away.
 */
export function subscribeOnce(
  client: MqttClient,
  subscriptions: Subscription[],
  timeoutMs: number,
  report: { status(s: NodeStatus): void; log: Logger },
): Promise<void> {
  // rh 1 (MQTT 5): retained messages only for a new subscription, not again each time a session is resumed.
  const subs: Record<string, { qos: 0 | 1 | 2; rh: number }> = {};
  for (const s of subscriptions) subs[s.topic] = { qos: s.qos, rh: 1 };
  return new Promise<void>((resolve) => {
    const done = () => {
      client.off('error', done);
      client.off('close', done);
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(done, timeoutMs + 1000);
    client.once('error', done);
    client.once('close', done);
    client.subscribe(subs, (err, granted) => {
      if (err) {
        // Not connected: the connection's own status says why, and the client subscribes again when it reconnects.
        if (client.connected) report.status({ state: 'error', reason: `subscribe failed: ${err.message}` });
      } else {
        const refused = (granted ?? []).filter((g) => g.qos === 128).map((g) => g.topic);
        if (refused.length > 0) report.status({ state: 'error', reason: `the broker refused: ${refused.join(', ')}` });
        const lower = (granted ?? []).filter((g) => g.qos !== 128 && g.qos < (subs[g.topic]?.qos ?? 0));
        if (lower.length > 0) report.log.warn({ granted: lower }, 'the broker granted a lower QoS than asked');
      }
      done();
    });
  });
}
