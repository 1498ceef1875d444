/**
 * A connection kind `mqtt` config (see nodes/connections/mqtt/definition.ts) turned into mqtt.js client options.
 * Node-only. Offline buffering is off for QoS 0 and publishers check `connected` themselves, so nothing queues
 * without bound while the broker is away.
 */
import type { IClientOptions } from 'mqtt';

export interface MqttSettings {
  url: string;
  /** '3.1.1' or '5'. */
  protocolVersion: string;
  clientId?: string;
  keepaliveSeconds: number;
  clean?: boolean;
  sessionExpirySeconds: number;
  username?: string;
  password?: string;
  ca?: string;
  cert?: string;
  key?: string;
  /** Verify the broker certificate (mqtt.js: `rejectUnauthorized`). */
  verifyServer: boolean;
  connectTimeoutMs: number;
  reconnectDelayMs: number;
  reconnectMaxDelayMs: number;
}

export interface ClientRole {
  clientId: string;
  /** false: a persistent session the broker keeps (and queues for) while we are away. */
  clean: boolean;
  /**
   * MQTT 5: how many unacknowledged QoS 1/2 messages the broker may send at once (a subscriber's window).
   * Without it Mosquitto sends at most `max_inflight_messages` (20): one sink round trip per 20 messages.
   */
  receiveMaximum?: number;
}

function pem(value: string | undefined, field: string): string | undefined {
  if (!value) return undefined;
  if (!value.includes('-----BEGIN')) {
    throw new Error(
      `mqtt connection: ${field} is not PEM text; reference the file, e.g. "\${file:/etc/ssl/${field}.pem}"`,
    );
  }
  return value;
}

/**
 * mqtt.js logs several lines per packet through `debug`, which builds an array of its arguments on every call even
 * when disabled. Unless DEBUG asks for debug output, the clients get a logger that does nothing.
 */
const quiet = () => {};

export function clientOptions(s: MqttSettings, role: ClientRole): IClientOptions {
  const v5 = s.protocolVersion === '5';
  return {
    log: process.env.DEBUG ? undefined : quiet,
    protocolVersion: v5 ? 5 : 4,
    clientId: role.clientId,
    clean: role.clean,
    keepalive: s.keepaliveSeconds,
    username: s.username || undefined,
    password: s.password || undefined,
    ca: pem(s.ca, 'ca'),
    cert: pem(s.cert, 'cert'),
    key: pem(s.key, 'key'),
    rejectUnauthorized: s.verifyServer,
    connectTimeout: s.connectTimeoutMs,
    reconnectPeriod: Math.max(100, s.reconnectDelayMs),
    // Keep retrying after a refused CONNECT (credentials may be fixed while we run), with backoff.
    reconnectOnConnackError: true,
    queueQoSZero: false,
    resubscribe: true,
    manualConnect: true,
    // mqtt-packet's number cache: 65,536 two-byte Buffers (~6 MB of heap that lives as long as the process, more
    // than everything else a flow keeps at rest) to save a 2-byte allocation per number written. The setting is
    // global in mqtt-packet; every client Sluice makes turns it off before the first packet is written.
    writeCache: false,
    // MQTT 5: a persistent session must outlive the connection, or the broker drops it at disconnect.
    properties: v5
      ? {
          sessionExpiryInterval: role.clean ? 0 : s.sessionExpirySeconds,
          ...(role.receiveMaximum ? { receiveMaximum: role.receiveMaximum } : {}),
        }
      : undefined,
  };
}

/** A client id safe for every broker: letters, digits, '-', '_' and '.'. */
export function safeClientId(...parts: Array<string | undefined>): string {
  return parts
    .filter((p): p is string => !!p)
    .map((p) => p.replace(/[^A-Za-z0-9_.-]+/g, '_'))
    .join('-');
}
