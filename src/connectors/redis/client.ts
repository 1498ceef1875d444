/**
 * What a `redis` connection opens: its settings and the clients made from them. Sinks share one client (commands
 * are pipelined on it); each redis-in node gets a dedicated one, since a blocking XREADGROUP holds its connection.
 * Nothing is queued while a connection is down (`enableOfflineQueue: false`): a command fails at once, and the
 * node's own retry or wait decides what happens, so a long outage never grows memory.
 */
import { isIP } from 'node:net';
import { Redis, type RedisOptions } from 'ioredis';
import { backoffDelay } from '../../kit/retry.js';
import { withTlsAdvice } from '../../kit/tls-problem.js';
import type { Logger } from '../../spec/runtime-contract.js';
import type { TlsSettings } from '../../spec/tls-schema.js';
import { GuardedConnector } from './guarded-connector.js';
import { errorText, LinkStatus } from './status.js';

/**
 * What the connector needs of a `redis` connection's config. Declared here because connectors never import nodes/:
 * nodes/connections/redis/runtime.ts passes its config here, so the compiler checks that the definition still fits.
 */
export interface RedisSettings extends TlsSettings {
  url?: string;
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
  connectTimeoutMs: number;
  reconnectDelayMs: number;
  reconnectMaxDelayMs: number;
  connectionName?: string;
}

export interface RedisPlan {
  options: RedisOptions;
  /** For logs and status text: never holds the password. */
  describe: string;
}

export function redisPlan(config: RedisSettings, connectionId: string): RedisPlan {
  let { host, port, db, username, tls } = config;
  let password = config.password;
  if (config.url) {
    let url: URL;
    try {
      url = new URL(config.url);
    } catch {
      throw new Error(`connection "${connectionId}": the URL is not valid; use redis://host:port/db`);
    }
    if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
      throw new Error(
        `connection "${connectionId}": the URL must start with redis:// or rediss://, not ${url.protocol}//`,
      );
    }
    tls ||= url.protocol === 'rediss:';
    host = url.hostname.replace(/^\[|\]$/g, '');
    if (url.port) port = Number(url.port);
    const path = url.pathname.slice(1);
    if (path) {
      const n = Number(path);
      if (!Number.isInteger(n) || n < 0)
        throw new Error(`connection "${connectionId}": "${path}" in the URL is not a database number`);
      db = n;
    }
    if (url.username) username = decodeURIComponent(url.username);
    if (password === undefined && url.password) password = decodeURIComponent(url.password);
  }
  const options: RedisOptions = {
    host,
    port,
    db,
    username: username || undefined,
    password: password || undefined,
    connectionName: config.connectionName || `sluice-${connectionId}`,
    connectTimeout: config.connectTimeoutMs,
    enableOfflineQueue: false,
    // A command in flight when the connection drops fails at once: the node retries it (or the source re-reads it).
    maxRetriesPerRequest: 0,
    lazyConnect: true,
    Connector: GuardedConnector,
    retryStrategy: (times) => backoffDelay(times, config.reconnectDelayMs, config.reconnectMaxDelayMs),
  };
  if (tls) {
    options.tls = {
      rejectUnauthorized: config.verifyServer,
      ...(config.ca ? { ca: config.ca } : {}),
      ...(config.cert ? { cert: config.cert } : {}),
      ...(config.key ? { key: config.key } : {}),
      // SNI takes a host name only (an IP address there is deprecated by Node); the certificate check still
      // matches the IP address against the certificate's IP entries.
      ...(isIP(host) ? {} : { servername: host }),
    };
  }
  const where = host.includes(':') ? `[${host}]` : host;
  return { options, describe: `${tls ? 'rediss' : 'redis'}://${username ? `${username}@` : ''}${where}:${port}/${db}` };
}

/** An ioredis client with its status. `ready` resolves when it first connected (or never, until closed). */
export interface RedisLink {
  readonly redis: Redis;
  readonly status: LinkStatus;
  readonly describe: string;
}

export class RedisClient {
  private sharedLink: RedisLink | undefined;
  private readonly links = new Set<Redis>();
  private closed = false;

  constructor(
    readonly settings: RedisSettings,
    private readonly plan: RedisPlan,
    private readonly log: Logger,
  ) {}

  static open(settings: RedisSettings, ctx: { log: Logger; connectionId: string }): RedisClient {
    return new RedisClient(settings, redisPlan(settings, ctx.connectionId), ctx.log);
  }

  /** The client the sinks (and the sources' acknowledgements) share; connects on first use. */
  shared(): RedisLink {
    if (!this.sharedLink) this.sharedLink = this.link('shared');
    return this.sharedLink;
  }

  /** A client of its own (a blocking reader); closed with the connection, or earlier with `release`. */
  dedicated(purpose: string): RedisLink {
    return this.link(purpose);
  }

  release(link: RedisLink): void {
    this.links.delete(link.redis);
    link.redis.disconnect();
  }

  /** Resolves once `link` is connected, or after `timeoutMs` (or the signal), whichever is first. */
  static async waitReady(link: RedisLink, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    if (link.redis.status === 'ready') return true;
    return new Promise((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        link.redis.off('ready', onReady);
        signal?.removeEventListener('abort', onAbort);
        resolve(ok);
      };
      const onReady = () => done(true);
      const onAbort = () => done(false);
      const timer = setTimeout(() => done(false), timeoutMs);
      link.redis.on('ready', onReady);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** `sluice check`: connect, PING, close. */
  static async check(settings: RedisSettings, connectionId: string): Promise<void> {
    const plan = redisPlan(settings, connectionId);
    const redis = new Redis({ ...plan.options, retryStrategy: () => null });
    // The socket's own error (ECONNREFUSED, a TLS failure) comes as an event; connect() only says it closed.
    let cause: unknown;
    redis.on('error', (err: unknown) => {
      cause ??= err;
    });
    try {
      await redis.connect();
      await redis.ping();
    } catch (err) {
      const why = cause ?? err;
      throw new Error(
        withTlsAdvice(`connection "${connectionId}": cannot use ${plan.describe}: ${errorText(why)}`, why),
      );
    } finally {
      redis.disconnect();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const all = [...this.links];
    this.links.clear();
    await Promise.all(
      all.map(async (r) => {
        // QUIT lets the server finish what was sent; a client that is down is just dropped.
        if (r.status === 'ready') await r.quit().catch(() => r.disconnect());
        else r.disconnect();
      }),
    );
  }

  private link(purpose: string): RedisLink {
    if (this.closed) throw new Error('the Redis connection is closed');
    const redis = new Redis(this.plan.options);
    const status = new LinkStatus(redis, this.plan.describe);
    let warned = false;
    // Without a listener an 'error' event would crash the process; the status shows it, the log says it once.
    redis.on('error', (err: unknown) => {
      if (!warned) this.log.warn({ redis: this.plan.describe, purpose, err: errorText(err) }, 'Redis connection error');
      warned = true;
    });
    redis.on('ready', () => {
      if (warned) this.log.info({ redis: this.plan.describe, purpose }, 'Redis connected again');
      warned = false;
    });
    this.links.add(redis);
    redis.connect().catch(() => {
      // The first attempt failed: ioredis retries by its retryStrategy; the status says why meanwhile.
    });
    return { redis, status, describe: this.plan.describe };
  }
}
