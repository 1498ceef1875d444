/** Self-signed certificates for TLS tests, made with the system's openssl (no downloads, nothing kept on disk). */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SelfSigned {
  cert: string;
  key: string;
}

/**
 * A one-day certificate for `subject` (a common name) with `altName` (e.g. `DNS:localhost`, `IP:127.0.0.1`);
 * undefined when openssl is missing or fails.
 */
export function selfSigned(subject: string, altName: string): SelfSigned | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-tls-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        `/CN=${subject}`,
        '-addext',
        `subjectAltName=${altName}`,
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    return { cert: readFileSync(join(dir, 'cert.pem'), 'utf8'), key: readFileSync(join(dir, 'key.pem'), 'utf8') };
  } catch {
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
