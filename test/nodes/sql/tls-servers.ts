/**
 * Servers that speak just enough PostgreSQL or MySQL to negotiate TLS, then hang up: enough to prove what the
 * drivers do with the TLS settings (verify by default, trust a given CA, check the host name) without
 * reconfiguring the shared database servers.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { TLSSocket } from 'node:tls';
import { type SelfSigned, selfSigned } from '../../support/self-signed.js';

/** A self-signed certificate for `localhost` (DNS name only, not 127.0.0.1); undefined without openssl. */
export const selfSignedLocalhost = (): SelfSigned | undefined => selfSigned('localhost', 'DNS:localhost');

export const REFUSAL = 'fake server: TLS accepted';

export interface FakeServer {
  port: number;
  /** TLS handshakes that completed on the server side. */
  handshakes: number;
  /** Connections that never asked for TLS. */
  plain: number;
  close(): Promise<void>;
}

function serve(onConnection: (socket: Socket, state: FakeServer) => void): Promise<FakeServer> {
  const sockets = new Set<Socket>();
  let server: Server;
  const state: FakeServer = {
    port: 0,
    handshakes: 0,
    plain: 0,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    onConnection(socket, state);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const a = server.address();
      state.port = typeof a === 'object' && a ? a.port : 0;
      resolve(state);
    });
  });
}

/** Start TLS as the server; `early` is TLS data already read off the socket (the ClientHello, with MySQL). */
function upgrade(socket: Socket, cert: SelfSigned, state: FakeServer, refusal: Buffer, early?: Buffer): void {
  let transport: Duplex = socket;
  if (early) {
    // A TLSSocket over a net.Socket reads the handle directly, past any data JS already holds: go through a Duplex.
    const pipe = new Duplex({
      read() {},
      write(chunk, _encoding, done) {
        socket.write(chunk, done);
      },
    });
    pipe.push(early);
    socket.on('data', (d) => pipe.push(d));
    socket.on('close', () => pipe.destroy());
    transport = pipe;
  }
  const secure = new TLSSocket(transport, { isServer: true, cert: cert.cert, key: cert.key });
  // The client's first message over TLS (its login) proves it accepted the certificate: refuse it with a
  // recognisable error.
  secure.once('data', () => {
    state.handshakes++;
    secure.end(refusal);
  });
  secure.on('error', () => socket.destroy());
}

/** ErrorResponse: severity, SQLSTATE 28000 (invalid authorization), message. */
const pgError = (() => {
  const fields = Buffer.from(`SFATAL\0C28000\0M${REFUSAL}\0\0`);
  const head = Buffer.alloc(5);
  head.write('E');
  head.writeInt32BE(fields.length + 4, 1);
  return Buffer.concat([head, fields]);
})();

/** ERR packet (sequence 3, after greeting, SSLRequest and login): errno 1045, SQLSTATE 28000. */
const mysqlError = (() => {
  const body = Buffer.concat([Buffer.from([0xff, 1045 & 0xff, 1045 >> 8]), Buffer.from(`#28000${REFUSAL}`)]);
  return Buffer.concat([Buffer.from([body.length & 0xff, body.length >> 8, 0, 3]), body]);
})();

/** PostgreSQL: an 8-byte SSLRequest (code 80877103) answered with 'S', then TLS. */
export function fakePostgres(cert: SelfSigned): Promise<FakeServer> {
  return serve((socket, state) => {
    socket.once('data', (first) => {
      if (first.length >= 8 && first.readInt32BE(4) === 80877103) {
        socket.write('S');
        upgrade(socket, cert, state, pgError);
      } else {
        state.plain++;
        socket.destroy();
      }
    });
  });
}

/** MySQL: a HandshakeV10 greeting offering SSL; the client answers with a 32-byte SSLRequest, then TLS. */
export function fakeMysql(cert: SelfSigned): Promise<FakeServer> {
  const caps = 0x1 | 0x2 | 0x4 | 0x8 | 0x200 | 0x800 | 0x2000 | 0x8000 | 0x20000 | 0x80000;
  const body = Buffer.concat([
    Buffer.from([10]),
    Buffer.from('5.7.99-fake\0'),
    Buffer.from([1, 0, 0, 0]),
    Buffer.from('abcdefgh'),
    Buffer.from([0, caps & 0xff, (caps >> 8) & 0xff, 45, 2, 0, (caps >> 16) & 0xff, (caps >> 24) & 0xff, 21]),
    Buffer.alloc(10),
    Buffer.from('ijklmnopqrst\0'),
    Buffer.from('mysql_native_password\0'),
  ]);
  const greeting = Buffer.concat([Buffer.from([body.length & 0xff, (body.length >> 8) & 0xff, 0, 0]), body]);
  return serve((socket, state) => {
    socket.write(greeting);
    socket.once('data', (reply) => {
      // An SSLRequest is a 32-byte payload; a full HandshakeResponse (no TLS) is longer. The TLS ClientHello
      // may follow in the same read: hand it back to the socket before wrapping it.
      if (reply.length >= 36 && reply.readUIntLE(0, 3) === 32) {
        upgrade(socket, cert, state, mysqlError, reply.subarray(36));
      } else {
        state.plain++;
        socket.destroy();
      }
    });
  });
}
