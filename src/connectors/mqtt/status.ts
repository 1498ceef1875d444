/** mqtt.js connection events -> node status (connecting, connected, error with the reason). */
import type { MqttClient } from 'mqtt';
import type { NodeStatus } from '../../spec/runtime-contract.js';

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
    lastError = err.message;
    status({ state: 'error', reason: `${err.message}; retrying` });
  };
  const retrying = () => {
    if (lastError === undefined) status({ state: 'connecting', reason: 'connection lost; reconnecting' });
  };
  client.on('connect', connected);
  client.on('error', failed);
  client.on('close', retrying);
  client.on('reconnect', retrying);
  if (client.connected) connected();
  else if (lastError !== undefined) status({ state: 'error', reason: `${lastError}; retrying` });
  else status({ state: 'connecting' });
  return () => {
    client.off('connect', connected);
    client.off('error', failed);
    client.off('close', retrying);
    client.off('reconnect', retrying);
  };
}
