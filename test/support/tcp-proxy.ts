/**
 * A TCP proxy in front of a service on 127.0.0.1 (RabbitMQ, the databases): `drop()` cuts every connection,
 * `down()` also refuses new ones, `up()` listens again (on the same port), `freeze()` keeps every connection open but
 * passes no more bytes (a server that stopped answering). `latencyMs` delays every chunk each way (a slow service).
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

export class TcpProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private frozen = false;
  port = 0;
  /** Connections accepted so far. */
  accepted = 0;
  /** Added to every chunk, each way, in order (for connections accepted after it is set). */
  latencyMs = 0;

  constructor(private readonly targetPort: number) {}

  async up(): Promise<void> {
    if (this.server) return;
    const server = createServer((client) => {
      this.accepted++;
      if (this.frozen) {
        this.sockets.add(client);
        client.pause();
        return;
      }
      const upstream = connect(this.targetPort, '127.0.0.1');
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      if (this.latencyMs > 0) {
        relayLate(client, upstream, this.latencyMs);
        relayLate(upstream, client, this.latencyMs);
      } else client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    if (address && typeof address === 'object') this.port = address.port;
    this.server = server;
  }

  freeze(): void {
    this.frozen = true;
    for (const s of this.sockets) {
      s.unpipe();
      s.pause();
    }
  }

  drop(): void {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.drop();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** Forward each chunk `ms` later, keeping order. */
function relayLate(from: Socket, to: Socket, ms: number): void {
  from.on('data', (chunk: Buffer) => {
    setTimeout(() => {
      if (!to.destroyed) to.write(chunk);
    }, ms);
  });
}
