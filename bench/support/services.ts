/** Is something listening at host:port? A TCP connect with a short timeout, nothing sent. */
import { connect } from 'node:net';

export function reachable(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

/** `reachable` for a URL (`mqtt://127.0.0.1:1883`, `amqp://...`), with the scheme's default port. */
export function reachableUrl(url: string, defaultPort: number): Promise<boolean> {
  const u = new URL(url);
  return reachable(u.hostname, Number(u.port || defaultPort));
}
