/**
 * The TLS fields every connection kind shares: `tls`, `ca`, `cert`, `key` (secret), `verifyServer` (on by default).
 * Isomorphic. MQTT is the exception: its TLS follows the `mqtts://` URL (no `tls` field, unconditional `ca`/`cert`/`key`),
 * but it names certificate verification `verifyServer` too (mapped to mqtt.js's `rejectUnauthorized`).
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

const tlsOnly = { 'x-showWhen': { tls: [true] } };

export function tlsProperties(o: {
  /** What is verified: "server", "broker". */
  peer: string;
  /** When TLS is used, e.g. "Connect with TLS (AMQPS). An `amqps://` URL turns it on too." */
  tlsDescription: string;
  /** An example path for the CA file. */
  caExample: string;
  /** Extra words for verifyServer's description (e.g. that the host name is checked). */
  verifyDetail?: string;
}) {
  return {
    tls: Type.Boolean({ title: 'TLS', default: false, description: o.tlsDescription }),
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
