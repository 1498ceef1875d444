/**
 * What to do about a TLS failure, from the error Node's TLS layer gives (its `code`): a certificate the client does
 * not trust is fixed in the connection's CA setting, not by checking that the server is reachable. Shared by the
 * connectors whose status shows connection errors, so every kind gives the same advice.
 */

/** Codes of a server certificate that no trusted CA signed (or that a CA in the chain is missing for). */
const UNTRUSTED = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
]);

const EXPIRED = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);

/** Node's messages for those codes, for clients that pass on the text without the code. */
const MESSAGES: Array<[RegExp, string]> = [
  [
    /self[- ]signed certificate|unable to verify the first certificate|unable to get (local )?issuer certificate/i,
    'CERT_UNTRUSTED',
  ],
  [/certificate has expired|certificate is not yet valid/i, 'CERT_HAS_EXPIRED'],
  [/does not match certificate's altnames/i, 'ERR_TLS_CERT_ALTNAME_INVALID'],
];

function codeOf(err: unknown): string | undefined {
  // Clients wrap the socket's error; the TLS code may sit on a cause.
  for (let e = err, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (
      typeof code === 'string' &&
      (UNTRUSTED.has(code) || EXPIRED.has(code) || code === 'ERR_TLS_CERT_ALTNAME_INVALID')
    )
      return code;
  }
  const text = err instanceof Error ? err.message : typeof err === 'string' ? err : '';
  return MESSAGES.find(([re]) => re.test(text))?.[1];
}

/** The advice for a TLS certificate failure (`err`), or undefined when it is not one. */
export function tlsAdvice(err: unknown): string | undefined {
  const code = codeOf(err);
  if (code === undefined) return undefined;
  if (UNTRUSTED.has(code))
    return "set the connection's CA certificates (ca) to the CA that signed the server certificate";
  if (EXPIRED.has(code)) return "renew the server's certificate (it is outside its validity period)";
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID')
    return 'connect by a host name the server certificate holds, or give the server a certificate for this one';
  return undefined;
}

/** `reason`, with the TLS advice after a `; ` when `err` is a certificate failure. */
export function withTlsAdvice(reason: string, err: unknown): string {
  const advice = tlsAdvice(err);
  return advice === undefined ? reason : `${reason}; ${advice}`;
}
