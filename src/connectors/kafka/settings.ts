/** A `kafka` connection's settings (defaults applied, references resolved), and what follows from them. */
import type { TlsSettings } from '../../spec/tls-schema.js';

/**
 * What the connector needs of a `kafka` connection's config. Declared here, not taken from the connection kind's
 * definition, because connectors never import nodes/: nodes/connections/kafka/runtime.ts passes its config here, so
 * the compiler checks that the definition still fits.
 */
export interface KafkaSettings extends TlsSettings {
  brokers: string[];
  clientId: string;
  sasl: 'none' | 'plain' | 'scram-sha-256' | 'scram-sha-512';
  username?: string;
  password?: string;
  connectTimeoutMs: number;
  requestTimeoutMs: number;
  reconnectDelayMs: number;
  reconnectMaxDelayMs: number;
}

/** The bootstrap list: an entry may be a reference that resolved to a comma-separated list. */
export function bootstrapBrokers(settings: KafkaSettings): string[] {
  const out = settings.brokers
    .flatMap((b) => b.split(','))
    .map((b) => b.trim())
    .filter(Boolean);
  for (const b of out) {
    if (!/^[^\s:]+:\d{1,5}$|^\[[0-9a-fA-F:.]+\]:\d{1,5}$/.test(b)) {
      throw new Error(
        `kafka: broker "${b}" is not host:port; write each bootstrap broker as host:port, e.g. localhost:9092`,
      );
    }
  }
  if (out.length === 0) throw new Error('kafka: no bootstrap broker; give at least one host:port');
  return out;
}

/** For logs and error messages: never holds credentials. */
export function describeCluster(settings: KafkaSettings): string {
  const auth = settings.sasl === 'none' ? '' : ` (SASL ${settings.sasl} as ${settings.username ?? '?'})`;
  return `${settings.tls ? 'kafka+tls' : 'kafka'}://${settings.brokers.join(',')}${auth}`;
}
