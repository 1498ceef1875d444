/**
 * ioredis's connector with every socket error handled. ioredis listens for a socket's first error only (`once`): a
 * TLS handshake the client refuses (an untrusted certificate) is often followed by the server's alert as a second
 * error on the same socket, which then had no listener and crashed the process (seen as an uncaught
 * `ERR_SSL_TLSV1_ALERT_DECODE_ERROR`). The first error still goes to ioredis (status, reconnect) as before.
 */
import standaloneModule from 'ioredis/built/connectors/StandaloneConnector.js';

type Standalone = typeof import('ioredis/built/connectors/StandaloneConnector.js').default;
// CommonJS interop: Node gives module.exports (with .default), bundlers give .default.
const StandaloneConnector = ((standaloneModule as unknown as { default?: Standalone }).default ??
  standaloneModule) as Standalone;

const ignore = (): void => {};

export class GuardedConnector extends StandaloneConnector {
  // ioredis passes its whole options object (ConnectorConstructor takes `unknown`); the connection fields are in it.
  constructor(options: unknown) {
    super(options as ConstructorParameters<Standalone>[0]);
  }

  override connect(emit: Parameters<InstanceType<Standalone>['connect']>[0]) {
    return super.connect(emit).then((stream) => {
      stream.on('error', ignore);
      return stream;
    });
  }
}
