/**
 * A Mosquitto of the test's own, on a free loopback port: stock Mosquitto drops an offline session's messages beyond
 * 1000 (max_queued_messages), which would be counted as Sluice's losses, and a broker restart must not disturb the
 * machine's shared broker. Persistence is on, so sessions and queued messages survive `restart()`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { reachable } from '../../bench/support/services.js';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const address = s.address();
      s.close(() => (address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export class PrivateMosquitto {
  private child: ChildProcess | undefined;
  private constructor(
    readonly port: number,
    private readonly conf: string,
  ) {}

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  /** `dir` holds the config file and the persistence database. */
  static async start(dir: string): Promise<PrivateMosquitto> {
    mkdirSync(dir, { recursive: true });
    const port = await freePort();
    const conf = join(dir, 'mosquitto.conf');
    writeFileSync(
      conf,
      [
        `listener ${port} 127.0.0.1`,
        'allow_anonymous true',
        'max_queued_messages 0',
        'max_queued_bytes 0',
        'persistence true',
        // Started as root, Mosquitto switches to user "mosquitto", who cannot write the test's directory.
        ...(process.getuid?.() === 0 ? ['user root'] : []),
        `persistence_location ${dir}/`,
        'set_tcp_nodelay true',
        'log_dest none',
        '',
      ].join('\n'),
    );
    const broker = new PrivateMosquitto(port, conf);
    await broker.up();
    return broker;
  }

  async up(): Promise<void> {
    if (this.child) return;
    const child = spawn('mosquitto', ['-c', this.conf], { stdio: 'ignore' });
    this.child = child;
    child.once('exit', () => {
      if (this.child === child) this.child = undefined;
    });
    const deadline = Date.now() + 10_000;
    while (!(await reachable('127.0.0.1', this.port, 200))) {
      if (Date.now() > deadline || !this.child) throw new Error(`mosquitto did not start on port ${this.port}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** SIGTERM: Mosquitto writes its persistence file (sessions, queued messages) and exits. */
  async down(): Promise<void> {
    const child = this.child;
    if (!child) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
    this.child = undefined;
  }
}
