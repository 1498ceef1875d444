/**
 * Held entries by MQTT packet id, for the ack gate: a direct-mapped table of a power of two slots (at least twice
 * the window, 16 KB for the default 1,000) indexed by the id's low bits, with a Map for the rare collision.
 *
 * Why not just a Map: the gate's table fills and drains with every sink batch, and a Map reallocates its hash table
 * as it grows and shrinks; those tables outlived young-generation collections (allocation profile, MQTT -> Kafka).
 * Why not a slot for each of the 65,536 ids: 512 KB per mqtt-in node. Brokers hand out ids in sequence, so the
 * messages held at once (at most the window) rarely share low bits; when they do, the Map keeps it correct.
 */
const PACKET_IDS = 65_536;

export class PacketIdTable<T extends { readonly messageId: number }> {
  private readonly slots: Array<T | undefined>;
  private readonly mask: number;
  /** Entries whose slot was taken by another id. */
  private readonly overflow = new Map<number, T>();

  constructor(window: number) {
    let size = 1;
    while (size < window * 2 && size < PACKET_IDS) size *= 2;
    this.slots = new Array(size);
    this.mask = size - 1;
  }

  get(id: number): T | undefined {
    const e = this.slots[id & this.mask];
    if (e !== undefined && e.messageId === id) return e;
    return this.overflow.size === 0 ? undefined : this.overflow.get(id);
  }

  /** Sets the entry of its id, replacing any earlier one of the same id. */
  set(entry: T): void {
    const i = entry.messageId & this.mask;
    const e = this.slots[i];
    if (e === undefined || e.messageId === entry.messageId) {
      this.slots[i] = entry;
      if (this.overflow.size > 0) this.overflow.delete(entry.messageId);
    } else this.overflow.set(entry.messageId, entry);
  }

  /** Removes `entry` if it is still the one of its id. */
  delete(entry: T): void {
    const i = entry.messageId & this.mask;
    if (this.slots[i] === entry) this.slots[i] = undefined;
    else if (this.overflow.get(entry.messageId) === entry) this.overflow.delete(entry.messageId);
  }

  clear(): void {
    this.slots.fill(undefined);
    this.overflow.clear();
  }
}
