/** A `kafka` connection's settings as kafkajs client options. */
import type { ConnectionOptions } from 'node:tls';
import { type KafkaConfig, logLevel, type SASLOptions } from 'kafkajs';
import type { Logger } from '../../../spec/runtime-contract.js';
import { bootstrapBrokers, type KafkaSettings } from '../settings.js';
import { logCreator } from './log.js';

function ssl(s: KafkaSettings): ConnectionOptions | undefined {
  if (!s.tls) return undefined;
  const out: ConnectionOptions = { rejectUnauthorized: s.verifyServer };
  if (s.ca) out.ca = s.ca;
  if (s.cert) out.cert = s.cert;
  if (s.key) out.key = s.key;
  return out;
}

function sasl(s: KafkaSettings): SASLOptions | undefined {
  if (s.sasl === 'none') return undefined;
  return { mechanism: s.sasl, username: s.username ?? '', password: s.password ?? '' };
}

export function kafkaConfig(s: KafkaSettings, log: Logger): KafkaConfig {
  return {
    brokers: bootstrapBrokers(s),
    clientId: s.clientId,
    ssl: ssl(s),
    sasl: sasl(s),
    connectionTimeout: s.connectTimeoutMs,
    // The SASL handshake is part of connecting: same limit.
    authenticationTimeout: s.connectTimeoutMs,
    requestTimeout: s.requestTimeoutMs,
    enforceRequestTimeout: true,
    // Used by the consumer (join, commit, restart after a crash) and the admin client; producers set their own.
    retry: { initialRetryTime: s.reconnectDelayMs, maxRetryTime: s.reconnectMaxDelayMs, retries: 5 },
    logLevel: logLevel.WARN,
    logCreator: logCreator(log),
  };
}
