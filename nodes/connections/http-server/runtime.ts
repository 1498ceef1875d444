/** Connection kind `http-server`: a hold on the process's shared listener for host:port (see listener.ts). */
import { acquireListener, type ListenerLease } from '../../../src/connectors/http/listener.js';
import type { ConnectionRuntime, Static } from '../../../src/spec/index.js';
import type { httpServerConnection } from './definition.js';

type Config = Static<typeof httpServerConnection.config>;

export interface HttpServerHandle {
  lease: ListenerLease;
  basePath: string;
}

function listenerOptions(config: Config) {
  return {
    host: config.host,
    port: config.port,
    tls: config.tls ? { cert: config.cert ?? '', key: config.key ?? '' } : undefined,
    requestTimeoutMs: config.requestTimeoutMs,
    keepAliveTimeoutMs: config.keepAliveTimeoutMs,
  };
}

export const runtime: ConnectionRuntime<Config, HttpServerHandle> = {
  async open(config, ctx) {
    if (config.tls && (!config.cert || !config.key)) {
      throw new Error(`http-server "${ctx.connectionId}": TLS is on but the certificate or key is missing; set both`);
    }
    const lease = await acquireListener(listenerOptions(config)).catch((err: unknown) => {
      throw new Error(`http-server "${ctx.connectionId}": ${(err as Error).message}; choose another port or stop it`);
    });
    ctx.log.info({ host: lease.host, port: lease.port, tls: config.tls }, 'http listener ready');
    return { lease, basePath: config.basePath };
  },
  close: (handle) => handle.lease.release(),
  /** `sluice check`: can this process listen there (port free, allowed, certificate and key usable)? */
  async check(config, ctx) {
    const lease = await acquireListener(listenerOptions(config)).catch((err: unknown) => {
      throw new Error(`http-server "${ctx.connectionId}": ${(err as Error).message}`);
    });
    await lease.release();
  },
};
