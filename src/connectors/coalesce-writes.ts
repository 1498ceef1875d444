/**
 * Holds a socket's writes until the end of this event-loop turn, so that everything written in the turn leaves in
 * one system call. Why: on a busy flow a client writes one small packet per message (an MQTT PUBLISH, a PUBACK),
 * each from its own callback; mqtt.js corks only until the next tick, and it handles every incoming packet in a tick
 * of its own, so each packet became a write of its own. A write to a socket costs ~10 us of kernel time on this
 * class of machine (measured: loopback TCP, bench/scenarios/e2e.ts), several times what building the packet costs.
 *
 * The turn ends at `setImmediate`: after the I/O callbacks of this loop iteration and their ticks, before timers of
 * the next one, so a packet waits well under a millisecond.
 */
export interface Corkable {
  cork(): void;
  uncork(): void;
}

const held = new WeakSet<Corkable>();

function release(stream: Corkable): void {
  held.delete(stream);
  stream.uncork();
}

/** Cork `stream` (once per turn) and uncork it when the turn ends. */
export function coalesceWrites(stream: Corkable): void {
  if (held.has(stream)) return;
  held.add(stream);
  stream.cork();
  setImmediate(release, stream);
}
