/**
 * A Redis and a NATS (with JetStream) of the test's own, speaking TLS only, on free loopback ports, with a
 * self-signed certificate: the shared services on 6379 and 4222 are plain, and must stay as they are for everyone.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './private-mosquitto.js';
import type { SelfSigned } from './self-signed.js';

export interface PrivateServer {
  port: number;
  /** Holds the server's files (certificate, JetStream store); removed on stop. */
  dir: string;
  stop(): Promise<void>;
}

async function spawnServer(
  name: string,
  cert: SelfSigned,
  args: (dir: string, port: number) => string[],
  /** Output that says the server accepts clients. */
  ready: RegExp,
  port?: number,
): Promise<PrivateServer & { output(): string }> {
  const dir = mkdtempSync(join(tmpdir(), `sluice-${name}-tls-`));
  writeFileSync(join(dir, 'cert.pem'), cert.cert);
  writeFileSync(join(dir, 'key.pem'), cert.key, { mode: 0o600 });
  const p = port ?? (await freePort());
  const child: ChildProcess = spawn(name, args(dir, p), { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => fail('did not start within 15 s'), 15_000);
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      reject(new Error(`private ${name} ${why}: ${output}`));
    };
    const onData = (d: Buffer) => {
      output += d.toString();
      if (ready.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', () => fail('exited'));
  });
  return {
    port: p,
    dir,
    output: () => output,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** `redis-server` with only a TLS port (no plain one), clients not asked for certificates, nothing saved. */
export function startTlsRedis(cert: SelfSigned): Promise<PrivateServer> {
  return spawnServer(
    'redis-server',
    cert,
    (dir, port) => [
      '--port',
      '0',
      '--tls-port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--tls-cert-file',
      join(dir, 'cert.pem'),
      '--tls-key-file',
      join(dir, 'key.pem'),
      '--tls-ca-cert-file',
      join(dir, 'cert.pem'),
      '--tls-auth-clients',
      'no',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
    ],
    /Ready to accept connections/,
  );
}

/** `nats-server -js` with TLS required, its JetStream store in a temporary directory. */
export function startTlsNats(cert: SelfSigned): Promise<PrivateServer> {
  return spawnServer(
    'nats-server',
    cert,
    (dir, port) => [
      '-a',
      '127.0.0.1',
      '-p',
      String(port),
      '--tls',
      '--tlscert',
      join(dir, 'cert.pem'),
      '--tlskey',
      join(dir, 'key.pem'),
      '-js',
      '-sd',
      join(dir, 'jetstream'),
    ],
    /Server is ready/,
  );
}
