/**
 * An in-process MQTT 3.1.1 broker (aedes) for the out-of-the-box demo and tests: no install, in memory, bound to
 * 127.0.0.1 by default. Not for production: no persistence across restarts, no MQTT 5.
 */
import './quiet-debug.js'; // before aedes: see quiet-debug.ts
import { createRequire } from 'node:module';
import { createServer as createTcpServer, type Server } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { Aedes } from 'aedes';

export interface EmbeddedBrokerOptions {
  /** 0 picks a free port. */
  port: number;
  host?: string;
  /** Serve MQTT over TLS (mqtts://) with this PEM key and certificate. */
  tls?: { key: string; cert: string };
  /** Accept a client's CONNECT; default: everyone. */
  authenticate?: (username: string | undefined, password: string | undefined) => boolean;
}

export interface EmbeddedBroker {
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * aedes writes through mqtt-packet, whose number cache (65,536 two-byte Buffers, ~6 MB of heap for the life of the
 * process) is built at the first packet unless turned off first; Sluice's own clients turn it off with mqtt.js's
 * `writeCache: false` (settings.ts).
 */
function turnOffNumberCache(): void {
  const require = createRequire(import.meta.url);
  const packet = require(require.resolve('mqtt-packet', { paths: [require.resolve('aedes')] })) as {
    writeToStream: { cacheNumbers: boolean };
  };
  packet.writeToStream.cacheNumbers = false;
}

export async function startEmbeddedBroker(options: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  turnOffNumberCache();
  const host = options.host ?? '127.0.0.1';
  const broker = await Aedes.createBroker();
  const check = options.authenticate;
  if (check) {
    broker.authenticate = (_client, username, password, done) => {
      if (check(username, password?.toString('utf8'))) done(null, true);
      else done(Object.assign(new Error('bad username or password'), { returnCode: 4 as const }), false);
    };
  }
  const server: Server = options.tls ? createTlsServer(options.tls, broker.handle) : createTcpServer(broker.handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    url: `${options.tls ? 'mqtts' : 'mqtt'}://${host}:${port}`,
    port,
    async close() {
      // Closing the broker disconnects its clients, which lets the server's close complete.
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
