/**
 * Envelope headers: what sources set to say how a message arrived (`mqtt-*`, `kafka-*`, `amqp-*`, `http-*`, `redis-*`,
 * `nats-*`: topic, partition, offset, routing key, QoS, request method and path, ...). Sinks do not copy them out as
 * headers or properties: they describe the input, not
 * the data, and every header costs bytes in every record. A sink maps the ones it understands itself (mqtt-out's
 * `mqtt-response-topic`, amqp-out's `amqp-correlation-id`).
 */
export function isEnvelopeHeader(name: string): boolean {
  return (
    name.startsWith('mqtt-') ||
    name.startsWith('kafka-') ||
    name.startsWith('amqp-') ||
    name.startsWith('http-') ||
    name.startsWith('redis-') ||
    name.startsWith('nats-')
  );
}

/**
 * Names only Sluice gives meaning to in `headers`: the envelope, the engine's `sluice-*`, `content-type` (mqtt-out's
 * Content Type), and `__proto__` (a plain object cannot hold it). A received header with such a name stays in the
 * message's `wire` headers only, so it can never pose as one of Sluice's. Case-insensitive: `MQTT-Qos` is refused too.
 */
export function isReservedHeader(name: string): boolean {
  const n = name.toLowerCase();
  return (
    isEnvelopeHeader(n) || n.startsWith('sluice-') || n === 'content-type' || name === '__proto__' // exact: other spellings are ordinary keys
  );
}
