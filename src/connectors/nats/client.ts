/**
 * What a `nats` connection opens: one NATS connection shared by the flow's NATS nodes. It connects in the
 * background (the flow starts while NATS is down; the nodes show it) and, once connected, the client reconnects on
 * its own, forever, with this connection's backoff.
 */
import { type ConnectionOptions, connect, credsAuthenticator, type NatsConnection } from '@nats-io/transport-node';
import { backoffDelay, sleep } from '../../kit/retry.js';
import { withTlsAdvice } from '../../kit/tls-problem.js';
import type { Logger } from '../../spec/runtime-contract.js';
import type { TlsSettings } from '../../spec/tls-schema.js';
import { errorText, StatusCell } from './status.js';

/**
 * What the connector needs of a `nats` connection's config. Declared here because connectors never import nodes/:
 * nodes/connections/nats/runtime.ts passes its config here, so the compiler checks that the definition still fits.
 */
export interface NatsSettings extends TlsSettings {
  servers: string[];
  username?: string;
  password?: string;
  token?: string;
  credentials?: string;
  connectTimeoutMs: number;
  reconnectDelayMs: number;
  reconnectMaxDelayMs: number;
  connectionName?: string;
}

export function natsOptions(config: NatsSettings, connectionId: string): ConnectionOptions {
  // An entry may be a reference that held a comma-separated list.
  const servers = config.servers
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter(Boolean);
  const tls = config.tls || servers.some((s) => s.startsWith('tls://'));
  let attempt = 0;
  const options: ConnectionOptions = {
    servers,
    name: config.connectionName ?? `sluice-${connectionId}`,
    timeout: config.connectTimeoutMs,
    reconnect: true,
    maxReconnectAttempts: -1,
    // Called before each reconnect attempt; reset when one succeeds (see NatsClient).
    reconnectDelayHandler: () => backoffDelay(++attempt, config.reconnectDelayMs, config.reconnectMaxDelayMs),
  };
  (options as { resetBackoff?: () => void }).resetBackoff = () => {
    attempt = 0;
  };
  if (config.username !== undefined) {
    options.user = config.username;
    options.pass = config.password ?? '';
  }
  if (config.token !== undefined) options.token = config.token;
  if (config.credentials !== undefined) {
    options.authenticator = credsAuthenticator(new TextEncoder().encode(config.credentials));
  }
  if (tls) {
    options.tls = {
      ...(config.ca ? { ca: config.ca } : {}),
      ...(config.cert ? { cert: config.cert } : {}),
      ...(config.key ? { key: config.key } : {}),
      // Node's tls.connect option; the transport passes it through.
      ...({ rejectUnauthorized: config.verifyServer } as object),
    };
  }
  return options;
}

export class NatsClient {
  readonly status = new StatusCell();
  private nc: NatsConnection | undefined;
  private closed = false;
  private readonly stopping = new AbortController();
  private readonly ready: Promise<NatsConnection | undefined>;
  private readonly describe: string;

  constructor(
    readonly settings: NatsSettings,
    private readonly connectionId: string,
    private readonly log: Logger,
  ) {
    this.describe = settings.servers.join(',');
    this.ready = this.firstConnect();
  }

  /**
   * The connection once it is up; undefined if the client was closed first, or `signal` aborted first (a node
   * stopping while NATS is unreachable must not wait for the connection, which closes only after the nodes stop).
   */
  connection(signal?: AbortSignal): Promise<NatsConnection | undefined> {
    if (!signal) return this.ready;
    if (signal.aborted) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const onAbort = () => resolve(undefined);
      signal.addEventListener('abort', onAbort, { once: true });
      void this.ready.then((nc) => {
        signal.removeEventListener('abort', onAbort);
        resolve(nc);
      });
    });
  }

  /** The connection if it is up now. */
  get current(): NatsConnection | undefined {
    return this.nc && !this.nc.isClosed() ? this.nc : undefined;
  }

  static async check(settings: NatsSettings, connectionId: string): Promise<void> {
    try {
      const nc = await connect({ ...natsOptions(settings, connectionId), reconnect: false });
      await nc.flush();
      await nc.close();
    } catch (err) {
      throw new Error(
        withTlsAdvice(
          `connection "${connectionId}": cannot connect to ${settings.servers.join(', ')}: ${errorText(err)}`,
          err,
        ),
      );
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopping.abort();
    const nc = this.nc;
    if (nc && !nc.isClosed()) {
      // Drain: what was published is flushed and subscriptions end cleanly.
      await nc.drain().catch(() => nc.close());
    }
  }

  private async firstConnect(): Promise<NatsConnection | undefined> {
    const options = natsOptions(this.settings, this.connectionId);
    for (let attempt = 1; !this.closed; attempt++) {
      try {
        const nc = await connect(options);
        if (this.closed) {
          await nc.close();
          return undefined;
        }
        this.nc = nc;
        this.log.info({ nats: nc.getServer() }, 'NATS connected');
        this.status.set({ state: 'connected' });
        void this.watch(nc, options);
        return nc;
      } catch (err) {
        const delayMs = backoffDelay(attempt, this.settings.reconnectDelayMs, this.settings.reconnectMaxDelayMs);
        if (attempt === 1 || attempt % 10 === 0) {
          this.log.warn(
            { nats: this.describe, err: errorText(err), attempt, delayMs },
            'NATS connect failed; retrying',
          );
        }
        // A certificate failure says what to change in the connection (the node's generic advice would not fit).
        this.status.set({
          state: 'error',
          reason: withTlsAdvice(`cannot connect to ${this.describe}: ${errorText(err)}`, err),
        });
        await sleep(delayMs, this.stopping.signal);
      }
    }
    return undefined;
  }

  private async watch(nc: NatsConnection, options: ConnectionOptions): Promise<void> {
    for await (const s of nc.status()) {
      switch (s.type) {
        case 'disconnect':
          this.log.warn({ nats: s.server }, 'NATS connection lost');
          this.status.set({ state: 'error', reason: `connection to ${s.server} lost` });
          break;
        case 'reconnecting':
          this.status.set({ state: 'connecting', reason: `reconnecting to ${this.describe}` });
          break;
        case 'reconnect':
          (options as { resetBackoff?: () => void }).resetBackoff?.();
          this.log.info({ nats: s.server }, 'NATS reconnected');
          this.status.set({ state: 'connected' });
          break;
        case 'error':
          // A server error on a live connection (a permission refused for one subject) is that node's failure, not
          // the connection's: the status changes only while the connection is not up (an authentication error).
          this.log.warn({ nats: this.describe, err: errorText(s.error) }, 'NATS server error');
          if (this.status.status.state !== 'connected')
            this.status.set({ state: 'error', reason: withTlsAdvice(errorText(s.error), s.error) });
          break;
        default:
          break;
      }
    }
    if (!this.closed) this.status.set({ state: 'error', reason: 'the NATS connection closed' });
  }
}
