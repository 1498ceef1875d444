/** TLS settings of a server connection as the options both pg and mysql2 hand to Node's `tls.connect`. */
import type { TlsSettings } from './connection-schema.js';

export interface TlsOptions {
  rejectUnauthorized: boolean;
  ca?: string;
  cert?: string;
  key?: string;
}

const orUndefined = (v: string | undefined) => (v ? v : undefined);

export function tlsOptions(t: TlsSettings): TlsOptions | undefined {
  if (!t.tls) return undefined;
  return {
    // Verification is on unless turned off explicitly; the system CAs apply when no CA is given.
    rejectUnauthorized: t.verifyServer !== false,
    ca: orUndefined(t.ca),
    cert: orUndefined(t.cert),
    key: orUndefined(t.key),
  };
}
