/**
 * Envelope headers: what sources set to say how a message arrived (`mqtt-*`, `kafka-*`, `amqp-*`: topic, partition,
 * offset, routing key, QoS, ...). Sinks do not copy them out as headers or properties: they describe the input, not
 * the data, and every header costs bytes in every record. A sink maps the ones it understands itself (mqtt-out's
 * `mqtt-response-topic`, amqp-out's `amqp-correlation-id`).
 */
export function isEnvelopeHeader(name: string): boolean {
  return name.startsWith('mqtt-') || name.startsWith('kafka-') || name.startsWith('amqp-');
}
