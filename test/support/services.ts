/**
 * Gates tests on external services that CI provides and a developer machine may not run.
 *
 *   describe.runIf(await requireService('mosquitto'))('mqtt v5 source', () => { ... });
 *
 * Contract: a reachable service resolves true. A missing one fails the test file under CI=true (requireService
 * throws) and otherwise resolves false with a console message naming the service, so the tests are skipped.
 * Kafka is not here: its broker is started by global setup, see kafka.ts.
 */
import { connect } from 'node:net';

export type ServiceName = 'mosquitto' | 'rabbitmq' | 'postgres' | 'mariadb' | 'redis' | 'nats';

/** Default ports on 127.0.0.1, where CI runs the services (Debian packages or mapped containers). */
export const SERVICE_PORTS: Readonly<Record<ServiceName, number>> = {
  mosquitto: 1883,
  rabbitmq: 5672,
  postgres: 5432,
  mariadb: 3306,
  redis: 6379,
  nats: 4222,
};

/** True when a TCP connection to the service's port opens within timeoutMs. */
export function serviceAvailable(name: ServiceName, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port: SERVICE_PORTS[name] });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Resolves whether tests needing `name` should run; see the contract above. */
export async function requireService(name: ServiceName): Promise<boolean> {
  if (await serviceAvailable(name)) return true;
  const what = `${name} is not reachable on 127.0.0.1:${SERVICE_PORTS[name]}`;
  if (process.env.CI === 'true') throw new Error(`${what}; CI=true requires it`);
  console.warn(`[skip] ${name} tests skipped: ${what} (start ${name} to run them)`);
  return false;
}
