/** `--embedded-mqtt PORT`: an in-process MQTT broker for demos and trying flows with nothing installed. */
import { type EmbeddedBroker, startEmbeddedBroker } from '../connectors/mqtt/embedded-broker.js';
import type { SluiceLogger } from '../runtime/log.js';
import { EXIT, UserError } from './io.js';

/** The port the demo flow (examples/embedded-demo.json) expects its broker on. */
export const DEMO_MQTT_PORT = 18830;

export async function startEmbeddedMqtt(port: number, log: SluiceLogger): Promise<EmbeddedBroker> {
  try {
    const broker = await startEmbeddedBroker({ port, host: '127.0.0.1' });
    log.info({ url: broker.url }, 'embedded MQTT broker (MQTT 3.1.1, in memory) listening');
    return broker;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(
      code === 'EADDRINUSE'
        ? `cannot start the embedded MQTT broker: port ${port} is in use (another Sluice demo running?)`
        : `cannot start the embedded MQTT broker on port ${port}: ${err instanceof Error ? err.message : String(err)}`,
      EXIT.startup,
    );
  }
}

export function portNumber(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535) throw new UserError(`not a port number: ${value}`, EXIT.usage);
  return n;
}
