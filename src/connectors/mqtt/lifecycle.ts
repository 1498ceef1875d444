/** Connecting and disconnecting an mqtt.js client without hanging on a broker that is away. */
import type { MqttClient } from 'mqtt';

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
