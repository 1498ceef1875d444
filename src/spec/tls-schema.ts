/**
 * The TLS fields every connection kind shares: `tls`, `ca`, `cert`, `key` (secret), `verifyServer` (on by default).
 * Isomorphic. MQTT takes the same fields without the `tls` switch (urlTlsProperties): its TLS follows the URL scheme.
 */
import { Secret, Type } from './schema.js';

/** The TLS fields' values (defaults applied), for the connectors that use them. */
export interface TlsSettings {
  tls: boolean;
  ca?: string;
  cert?: string;
  key?: string;
  verifyServer: boolean;
}

const TLS_ONLY = { 'x-showWhen': { tls: [true] } };

interface TlsOptions {
  /** What is verified: "server", "broker". */
  peer: string;
  /** An example path for the CA file. */
  caExample: string;
  /** Extra words for verifyServer's description (e.g. that the host name is checked). */
  verifyDetail?: string;
}

/** `tls`, `ca`, `cert`, `key`, `verifyServer`: TLS switched on by the `tls` field (an amqps:// URL may turn it on too). */
export function tlsProperties(
  o: TlsOptions & {
    /** When TLS is used, e.g. "Connect with TLS (AMQPS). An `amqps://` URL turns it on too." */
    tlsDescription: string;
  },
) {
  return {
    tls: Type.Boolean({ title: 'TLS', default: false, description: o.tlsDescription }),
    ...tlsFileProperties(o, TLS_ONLY),
  };
}

/**
 * `ca`, `cert`, `key`, `verifyServer` for a kind whose TLS follows its URL scheme (MQTT: `mqtts://`, `wss://`), so
 * it has no `tls` switch; the fields are the same as everywhere else.
 */
export function urlTlsProperties(o: TlsOptions & { /** e.g. "mqtts:// or wss://" */ urlScheme: string }) {
  return tlsFileProperties(
    { ...o, verifyDetail: `With ${o.urlScheme}.${o.verifyDetail ? ` ${o.verifyDetail}` : ''}` },
    {},
  );
}

function tlsFileProperties(o: TlsOptions, tlsOnly: { 'x-showWhen'?: Record<string, unknown[]> }) {
  return {
    ca: Type.Optional(
      Type.String({
        title: 'CA certificates (PEM)',
        description: `Trusted CAs for the ${o.peer} certificate, e.g. \`\${file:${o.caExample}}\`. Default: the system CAs.`,
        'x-widget': 'textarea',
        ...tlsOnly,
      }),
    ),
    cert: Type.Optional(
      Type.String({
        title: 'Client certificate (PEM)',
        description: 'For mutual TLS, e.g. `${file:/run/secrets/client.crt}`.',
        'x-widget': 'textarea',
        ...tlsOnly,
      }),
    ),
    key: Type.Optional(
      Secret({
        title: 'Client key (PEM)',
        description: 'For mutual TLS: a reference such as `${file:/run/secrets/client.key}`.',
      }),
    ),
    verifyServer: Type.Boolean({
      title: `Verify the ${o.peer} certificate`,
      default: true,
      description: `${o.verifyDetail ? `${o.verifyDetail} ` : ''}Turn off only to try a test ${o.peer}: without it anyone on the path can read and change the traffic.`,
      'x-advanced': true,
      ...tlsOnly,
    }),
  };
}
