/**
 * Lint rules shared by connection kinds with a service URL and TLS settings (AMQP, Redis): the scheme, no literal
 * password inside the URL, certificates that TLS-off would ignore, verification turned off. Isomorphic.
 */
import type { LintIssue } from './node-definition.js';

export interface UrlTlsConfig {
  url?: string;
  tls?: boolean;
  ca?: string;
  cert?: string;
  key?: string;
  verifyServer?: boolean;
}

export interface UrlSchemes {
  /** The URL schemes, plain and secure (`amqp`, `amqps`). */
  scheme: string;
  secureScheme: string;
  /** The reference the password hint suggests, e.g. `${env:RABBITMQ_PASSWORD}`. */
  passwordExample: string;
  /** How the TLS hint names the secure URL, e.g. "an amqps:// URL". */
  secureUrl: string;
}

/** The URL: its scheme, and no literal password in it. */
export function urlIssues(c: UrlTlsConfig, o: UrlSchemes): LintIssue[] {
  const issues: LintIssue[] = [];
  if (c.url !== undefined) {
    const schemes = new RegExp(`^(${o.scheme}|${o.secureScheme})://`, 'i');
    if (!schemes.test(c.url) && !c.url.startsWith('${')) {
      issues.push({ path: '/url', message: `the URL must start with ${o.scheme}:// or ${o.secureScheme}://` });
    }
    // A reference inside the URL is fine: it is resolved at run time and never saved.
    const password = new RegExp(`^(?:${o.scheme}|${o.secureScheme})://[^/@:]*:([^@/]*)@`, 'i').exec(c.url)?.[1];
    if (password && !/^\$\{(env|file):[^}]+\}$/.test(password)) {
      issues.push({
        path: '/url',
        message: 'the URL holds a literal password, which would be saved in the flow file',
        hint: `remove it from the URL and set Password to a reference, e.g. "${o.passwordExample}"`,
      });
    }
  }
  return issues;
}

/** Certificates that TLS-off ignores, and verification turned off. */
export function tlsIssues(c: UrlTlsConfig, o: UrlSchemes): LintIssue[] {
  const issues: LintIssue[] = [];
  if (!c.tls && !c.url?.toLowerCase().startsWith(`${o.secureScheme}:`) && (c.ca || c.cert || c.key)) {
    issues.push({
      path: '/tls',
      message: 'certificates are set but TLS is off, so they are not used',
      hint: `turn TLS on or use ${o.secureUrl}`,
      severity: 'warning',
    });
  }
  if (c.verifyServer === false) {
    issues.push({
      path: '/verifyServer',
      message: 'the server certificate is not verified',
      hint: 'set CA certificates instead of turning verification off',
      severity: 'warning',
    });
  }
  return issues;
}
