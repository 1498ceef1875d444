/**
 * MQTT 5 first, 3.1.1 when the broker refuses it: a client configured for MQTT 5 that gets "unacceptable protocol
 * version" (3.1.1 CONNACK code 1, as the embedded aedes broker and old brokers answer) or "unsupported protocol
 * version" (MQTT 5 reason 0x84) switches itself to 3.1.1 and reconnects, and says which version it uses. A client
 * configured for 3.1.1 stays there.
 */
import type { MqttClient } from 'mqtt';
import type { Logger } from '../../spec/runtime-contract.js';

/** 3.1.1 CONNACK return code 1, and MQTT 5 CONNACK reason code 0x84. */
const VERSION_REFUSED = new Set([1, 0x84]);

export function isVersionRefusal(err: unknown): boolean {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'number' && VERSION_REFUSED.has(code);
}

export interface VersionNegotiation {
  /** The version in use, for the node status: "MQTT 5", "MQTT 3.1.1", or why 3.1.1. */
  note(): string;
  /** True once the broker refused MQTT 5 and the client fell back. */
  readonly fellBack: boolean;
}

export function negotiateVersion(client: MqttClient, log: Logger): VersionNegotiation {
  let fellBack = false;
  if (client.options.protocolVersion === 5) {
    const onError = (err: Error) => {
      if (client.options.protocolVersion !== 5 || !isVersionRefusal(err)) return;
      fellBack = true;
      client.options.protocolVersion = 4;
      // MQTT 5 CONNECT properties (session expiry, receive maximum) have no 3.1.1 form.
      delete client.options.properties;
      client.off('error', onError);
      log.info('the broker refused MQTT 5: using MQTT 3.1.1 (reconnecting)');
    };
    client.on('error', onError);
  }
  return {
    note: () =>
      client.options.protocolVersion === 5
        ? 'MQTT 5'
        : fellBack
          ? 'MQTT 3.1.1 (the broker refused MQTT 5)'
          : 'MQTT 3.1.1',
    get fellBack() {
      return fellBack;
    },
  };
}
