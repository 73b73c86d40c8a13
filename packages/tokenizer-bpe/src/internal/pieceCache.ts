/**
 * A hash table from pre-token text to a number (see `PieceEncoder` for what the number means),
 * keyed by the characters in place: a lookup hashes `text[start, end)` without making a
 * substring, and a stored key's characters go into one shared arena. No strings are allocated,
 * so a large cache costs the garbage collector nothing. Open addressing with linear probing; the
 * owner empties it when it is full.
 */

/** One slot: hash, key offset in the arena, key length, value. */
const SLOT = 4;

export class PieceCache {
  readonly #capacity: number;
  readonly #mask: number;
  readonly #slots: Int32Array;
  #chars = new Uint16Array(1 << 16);
  #charsLength = 0;
  #size = 0;
  #hash = 0;
  #slot = 0;

  /** A cache of up to `capacity` pieces. */
  constructor(capacity: number) {
    this.#capacity = Math.max(1, capacity);
    let slots = 16;
    while (slots < this.#capacity * 2) slots *= 2;
    this.#slots = new Int32Array(slots * SLOT);
    this.#mask = slots - 1;
  }

  /**
   * The value cached for `text[start, end)`, or `undefined`; on a miss, remembers where
   * {@link set} should store the piece (call it before any other lookup).
   */
  get(text: string, start: number, end: number): number | undefined {
    let h = 0x811c9dc5 | 0;
    for (let i = start; i < end; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
    h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) | 1; // never 0: 0 marks an empty slot
    const slots = this.#slots;
    const chars = this.#chars;
    const n = end - start;
    for (let slot = (h >>> 7) & this.#mask; ; slot = (slot + 1) & this.#mask) {
      const at = slot * SLOT;
      const stored = slots[at]!;
      if (stored === 0) {
        this.#hash = h;
        this.#slot = at;
        return undefined;
      }
      if (stored === h && slots[at + 2] === n) {
        let i = 0;
        for (let k = slots[at + 1]!; i < n && chars[k + i] === text.charCodeAt(start + i); i++);
        if (i === n) return slots[at + 3];
      }
    }
  }

  /** Whether the cache holds as many pieces as it may. */
  get full(): boolean {
    return this.#size >= this.#capacity;
  }

  /** Empties the cache. */
  clear(): void {
    this.#slots.fill(0);
    this.#size = 0;
    this.#charsLength = 0;
  }

  /** Stores `value` for the piece of the last missed {@link get} (the cache must not be full). */
  set(text: string, start: number, end: number, value: number): void {
    const n = end - start;
    if (this.#charsLength + n > this.#chars.length) {
      const grown = new Uint16Array(Math.max(this.#chars.length * 2, this.#charsLength + n));
      grown.set(this.#chars.subarray(0, this.#charsLength));
      this.#chars = grown;
    }
    const chars = this.#chars;
    const offset = this.#charsLength;
    for (let i = 0; i < n; i++) chars[offset + i] = text.charCodeAt(start + i);
    this.#charsLength = offset + n;
    const at = this.#slot;
    const slots = this.#slots;
    slots[at] = this.#hash;
    slots[at + 1] = offset;
    slots[at + 2] = n;
    slots[at + 3] = value;
    this.#size++;
  }
}
