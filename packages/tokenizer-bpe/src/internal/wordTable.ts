/**
 * The word table of the counting pass: distinct pre-tokens and their counts, keyed by the UTF-16
 * code units of a slice of the text being read, so that counting a pre-token allocates nothing
 * (no sliced string, no string hash). Words are copied once, when first seen, into one pool of
 * code units; the table is an open-addressing hash with linear probing.
 *
 * On English prose this counts about three times faster than a `Map` keyed by `text.slice()`.
 */

const EMPTY = -1;
const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;

export class WordTable {
  /** Number of distinct words. */
  size = 0;
  #pool = new Uint16Array(1 << 16);
  #poolUsed = 0;
  #start = new Int32Array(1024);
  #length = new Int32Array(1024);
  #hash = new Int32Array(1024);
  #count = new Float64Array(1024);
  #slots = new Int32Array(2048).fill(EMPTY);
  #mask = 2047;

  /** Counts one occurrence of `text[start, end)`. */
  add(text: string, start: number, end: number): void {
    // FNV-1a over code units (Fowler–Noll–Vo, http://www.isthe.com/chongo/tech/comp/fnv/).
    let h = FNV_OFFSET;
    for (let k = start; k < end; k++) h = Math.imul(h ^ text.charCodeAt(k), FNV_PRIME);
    const n = end - start;
    const mask = this.#mask;
    const slots = this.#slots;
    let s = (h ^ (h >>> 16)) & mask;
    for (;;) {
      const w = slots[s]!;
      if (w === EMPTY) break;
      if (this.#hash[w] === h && this.#length[w] === n && this.#equals(w, text, start, n)) {
        this.#count[w] = this.#count[w]! + 1;
        return;
      }
      s = (s + 1) & mask;
    }
    slots[s] = this.#insert(text, start, n, h);
    if (this.size * 2 > slots.length) this.#rehash();
  }

  /** The words and their counts as a `Map`. */
  toMap(): Map<string, number> {
    const map = new Map<string, number>();
    for (let w = 0; w < this.size; w++) {
      const s = this.#start[w]!;
      map.set(this.#decode(s, s + this.#length[w]!), this.#count[w]!);
    }
    return map;
  }

  #equals(w: number, text: string, start: number, n: number): boolean {
    const pool = this.#pool;
    const s = this.#start[w]!;
    for (let k = 0; k < n; k++) if (pool[s + k] !== text.charCodeAt(start + k)) return false;
    return true;
  }

  #insert(text: string, start: number, n: number, h: number): number {
    const w = this.size++;
    if (w === this.#start.length) this.#growEntries();
    if (this.#poolUsed + n > this.#pool.length) {
      const pool = new Uint16Array(Math.max(this.#pool.length * 2, this.#poolUsed + n));
      pool.set(this.#pool.subarray(0, this.#poolUsed));
      this.#pool = pool;
    }
    const at = this.#poolUsed;
    for (let k = 0; k < n; k++) this.#pool[at + k] = text.charCodeAt(start + k);
    this.#poolUsed += n;
    this.#start[w] = at;
    this.#length[w] = n;
    this.#hash[w] = h;
    this.#count[w] = 1;
    return w;
  }

  #decode(start: number, end: number): string {
    let s = '';
    // Chunks keep String.fromCharCode's argument count small.
    for (let k = start; k < end; k += 4096) {
      s += String.fromCharCode(...this.#pool.subarray(k, Math.min(end, k + 4096)));
    }
    return s;
  }

  #growEntries(): void {
    const n = this.#start.length * 2;
    const grow = <T extends Int32Array | Float64Array>(a: T, make: (n: number) => T): T => {
      const b = make(n);
      b.set(a);
      return b;
    };
    this.#start = grow(this.#start, (k) => new Int32Array(k));
    this.#length = grow(this.#length, (k) => new Int32Array(k));
    this.#hash = grow(this.#hash, (k) => new Int32Array(k));
    this.#count = grow(this.#count, (k) => new Float64Array(k));
  }

  #rehash(): void {
    const slots = new Int32Array(this.#slots.length * 2).fill(EMPTY);
    const mask = slots.length - 1;
    for (let w = 0; w < this.size; w++) {
      const h = this.#hash[w]!;
      let s = (h ^ (h >>> 16)) & mask;
      while (slots[s] !== EMPTY) s = (s + 1) & mask;
      slots[s] = w;
    }
    this.#slots = slots;
    this.#mask = mask;
  }
}
