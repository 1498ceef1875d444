/** mqtt.js connection events -> node status (connecting, connected, error with the reason). */
import type { MqttClient } from 'mqtt';
import type { NodeStatus } from '../../spec/runtime-contract.js';
import { isVersionRefusal } from './version.js';

/** `lastError`: the client's failure so far, when it was created before this node began to listen. */
export function reportStatus(
  client: MqttClient,
  status: (s: NodeStatus) => void,
  note?: () => string | undefined,
  lastErrorSoFar?: string,
): () => void {
  let lastError = lastErrorSoFar;
  const connected = () => {
    lastError = undefined;
    status({ state: 'connected', reason: note?.() });
  };
  const failed = (err: Error) => {
    // Refused MQTT 5 and falling back (version.ts): not a failure, the next attempt speaks 3.1.1.
    if (isVersionRefusal(err) && client.options.protocolVersion === 4) {
      status({ state: 'connecting', reason: 'the broker refused MQTT 5: reconnecting with MQTT 3.1.1' });
      return;
    }
    lastError = err.message;
    status({ state: 'error', reason: `${err.message} (retrying)` });
  };
  const retrying = () => {
    if (lastError === undefined) status({ state: 'connecting', reason: 'connection lost; reconnecting' });
  };
  client.on('connect', connected);
  client.on('error', failed);
  client.on('close', retrying);
  client.on('reconnect', retrying);
  if (client.connected) connected();
  else if (lastError !== undefined) status({ state: 'error', reason: `${lastError} (retrying)` });
  else status({ state: 'connecting' });
  return () => {
    client.off('connect', connected);
    client.off('error', failed);
    client.off('close', retrying);
    client.off('reconnect', retrying);
  };
}
