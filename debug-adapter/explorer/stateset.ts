// A hash set of byte strings (encoded states): open addressing over one growing byte
// arena, a 32-bit FNV-1a hash per key kept beside it, and a full comparison of the bytes
// on a hash match, so a collision can never merge two different states.

export class StateSet {
  private table: Int32Array;
  private mask: number;
  private hashes: Int32Array;
  private offs: Uint32Array;
  private arena: Uint8Array;
  private used = 0;
  size = 0;

  constructor(initialSlots = 1 << 12) {
    this.table = new Int32Array(initialSlots);
    this.mask = initialSlots - 1;
    this.hashes = new Int32Array(initialSlots >> 1);
    this.offs = new Uint32Array((initialSlots >> 1) + 1);
    this.arena = new Uint8Array(1 << 16);
  }

  /** Bytes held by the set's arrays. */
  get bytes(): number {
    return this.table.byteLength + this.hashes.byteLength + this.offs.byteLength + this.arena.byteLength;
  }

  static hash(buf: Uint8Array, len: number): number {
    let h = 0x811c9dc5 | 0;
    for (let i = 0; i < len; i++) {
      h ^= buf[i];
      h = Math.imul(h, 0x01000193);
    }
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    return h | 0;
  }

  private equal(id: number, buf: Uint8Array, len: number): boolean {
    const o = this.offs[id];
    if (this.offs[id + 1] - o !== len) return false;
    const a = this.arena;
    for (let i = 0; i < len; i++) if (a[o + i] !== buf[i]) return false;
    return true;
  }

  /** The id of the key, or -1. */
  find(buf: Uint8Array, len: number): number {
    const h = StateSet.hash(buf, len);
    for (let slot = h & this.mask; ; slot = (slot + 1) & this.mask) {
      const e = this.table[slot];
      if (e === 0) return -1;
      const id = e - 1;
      if (this.hashes[id] === h && this.equal(id, buf, len)) return id;
    }
  }

  /** Adds the key: its new id, or -1 when it was there already. */
  add(buf: Uint8Array, len: number): number {
    const h = StateSet.hash(buf, len);
    let slot = h & this.mask;
    for (; ; slot = (slot + 1) & this.mask) {
      const e = this.table[slot];
      if (e === 0) break;
      const id = e - 1;
      if (this.hashes[id] === h && this.equal(id, buf, len)) return -1;
    }
    const id = this.size++;
    if (id >= this.hashes.length) {
      const nh = new Int32Array(this.hashes.length * 2);
      nh.set(this.hashes);
      this.hashes = nh;
      const no = new Uint32Array(this.hashes.length + 1);
      no.set(this.offs);
      this.offs = no;
    }
    if (this.used + len > this.arena.length) {
      let n = this.arena.length * 2;
      while (this.used + len > n) n *= 2;
      const na = new Uint8Array(n);
      na.set(this.arena.subarray(0, this.used));
      this.arena = na;
    }
    this.arena.set(buf.subarray(0, len), this.used);
    this.offs[id] = this.used;
    this.used += len;
    this.offs[id + 1] = this.used;
    this.hashes[id] = h;
    this.table[slot] = id + 1;
    if (this.size * 2 > this.table.length) this.grow();
    return id;
  }

  private grow(): void {
    const nt = new Int32Array(this.table.length * 2);
    const mask = nt.length - 1;
    for (let id = 0; id < this.size; id++) {
      let slot = this.hashes[id] & mask;
      while (nt[slot] !== 0) slot = (slot + 1) & mask;
      nt[slot] = id + 1;
    }
    this.table = nt;
    this.mask = mask;
  }
}
