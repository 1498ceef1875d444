/** Turns an `amqp` connection's config into amqplib's connect arguments, and a password-free description. */
import type { Options, SocketOptions } from 'amqplib';
import type { TlsSettings } from '../../spec/tls-schema.js';

/**
 * What the connector needs of an `amqp` connection's config. Declared here because connectors never import nodes/:
 * nodes/connections/amqp/runtime.ts passes its config here, so the compiler checks that the definition still fits.
 */
export interface AmqpConnectionConfig extends TlsSettings {
  url?: string;
  host: string;
  port?: number;
  vhost: string;
  username: string;
  password?: string;
  heartbeatSeconds: number;
  connectTimeoutMs: number;
  reconnectDelayMs: number;
  reconnectMaxDelayMs: number;
  connectionName?: string;
}

export interface ConnectPlan {
  endpoint: Options.Connect;
  socket: SocketOptions;
  /** For logs and error messages: never holds the password. */
  describe: string;
}

function decode(part: string): string {
  return decodeURIComponent(part);
}

export function connectPlan(config: AmqpConnectionConfig, connectionId: string): ConnectPlan {
  let tls = config.tls;
  let { host, port, vhost, username } = config;
  let password = config.password;
  if (config.url) {
    let url: URL;
    try {
      url = new URL(config.url);
    } catch {
      throw new Error(`connection "${connectionId}": the URL is not valid`);
    }
    if (url.protocol !== 'amqp:' && url.protocol !== 'amqps:') {
      throw new Error(
        `connection "${connectionId}": the URL must start with amqp:// or amqps://, not ${url.protocol}//`,
      );
    }
    tls ||= url.protocol === 'amqps:';
    host = url.hostname.replace(/^\[|\]$/g, '');
    if (url.port) port = Number(url.port);
    if (url.pathname.length > 1) vhost = decode(url.pathname.slice(1));
    if (url.username) username = decode(url.username);
    // The Password field wins: it is the place for a secret reference.
    if (password === undefined && url.password) password = decode(url.password);
  }
  // RabbitMQ's out-of-the-box account; any other user without a password sends an empty one.
  if (password === undefined) password = username === 'guest' ? 'guest' : '';
  const effectivePort = port ?? (tls ? 5671 : 5672);
  const socket: SocketOptions = {
    timeout: config.connectTimeoutMs,
    // Confirms and acks are small frames: don't let Nagle hold them back.
    noDelay: true,
    keepAlive: true,
    clientProperties: { connection_name: config.connectionName ?? `sluice ${connectionId}` },
  };
  if (tls) {
    socket.rejectUnauthorized = config.verifyServer;
    if (config.ca) socket.ca = config.ca;
    if (config.cert) socket.cert = config.cert;
    if (config.key) socket.key = config.key;
  }
  return {
    endpoint: {
      protocol: tls ? 'amqps' : 'amqp',
      hostname: host,
      port: effectivePort,
      vhost,
      username,
      password,
      heartbeat: config.heartbeatSeconds,
    },
    socket,
    describe: `${tls ? 'amqps' : 'amqp'}://${username}@${host.includes(':') ? `[${host}]` : host}:${effectivePort}/${encodeURIComponent(vhost)}`,
  };
}
