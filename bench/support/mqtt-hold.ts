/** Hold mode for the MQTT bench, without a switch in production code: see mqtt-hold-hooks.mjs. */
import { register } from 'node:module';

register('./mqtt-hold-hooks.mjs', import.meta.url);

const KEY = Symbol.for('sluice.bench.mqtt-hold');

/** Subscribers started from now on run in hold mode (true) or gate mode (false). */
export function benchHoldMode(hold: boolean): void {
  (globalThis as { [KEY]?: boolean })[KEY] = hold;
}
