/**
 * The word table of the counting pass: distinct pre-tokens and their counts, keyed by the UTF-16
 * code units of a slice of the text being read, so that counting a pre-token allocates nothing
 * (no sliced string, no string hash). Words are copied once, when first seen, into one pool of
 * code units; the table is an open-addressing hash with linear probing.
 *
 * On the training benchmark's prose this made the counting pass about 1.8 times faster than a
 * `Map` keyed by `text.slice()` (1.63 s → 0.90 s for 17 MB, one thread).
 */

/** A table's contents in transferable arrays, for sending between threads. */
export interface WordTableData {
  /** The words' code units, back to back. */
  readonly chars: Uint16Array<ArrayBuffer>;
  /** Each word's length in code units. */
  readonly lengths: Int32Array<ArrayBuffer>;
  /** Each word's hash. */
  readonly hashes: Int32Array<ArrayBuffer>;
  /** Each word's count. */
  readonly counts: Float64Array<ArrayBuffer>;
}

const EMPTY = -1;
const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;

/** UTF-8 length of well-formed UTF-16 code units (a surrogate pair is 2 + 2 bytes). */
function utf8Length(units: Uint16Array, start: number, end: number): number {
  let n = end - start;
  for (let i = start; i < end; i++) {
    const c = units[i]!;
    if (c >= 0x80) n += c < 0x800 || (c & 0xf800) === 0xd800 ? 1 : 2;
  }
  return n;
}

const littleEndian = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;
const utf16 = littleEndian ? new TextDecoder('utf-16le') : undefined;

/** The string of UTF-16 code units. */
function decodeUnits(units: Uint16Array): string {
  if (utf16 !== undefined) return utf16.decode(units);
  let s = '';
  // Chunks keep String.fromCharCode's argument count small.
  for (let k = 0; k < units.length; k += 4096) {
    s += String.fromCharCode(...units.subarray(k, k + 4096));
  }
  return s;
}

export class WordTable {
  /** Number of distinct words. */
  size = 0;
  /** UTF-8 bytes of all words counted, each occurrence counted. */
  bytes = 0;
  #pool = new Uint16Array(1 << 16);
  #poolUsed = 0;
  #start = new Int32Array(1024);
  #length = new Int32Array(1024);
  #hash = new Int32Array(1024);
  #count = new Float64Array(1024);
  #utf8 = new Float64Array(1024);
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
        this.bytes += this.#utf8[w]!;
        return;
      }
      s = (s + 1) & mask;
    }
    const w = this.#insert(h, 1, n);
    const pool = this.#pool;
    const at = this.#start[w]!;
    for (let k = 0; k < n; k++) pool[at + k] = text.charCodeAt(start + k);
    this.#setUtf8(w, 1);
    slots[s] = w;
    if (this.size * 2 > slots.length) this.#rehash();
  }

  /** Adds another table's counts to this one's. */
  addAll(data: WordTableData): void {
    const { chars, lengths, hashes, counts } = data;
    for (let w = 0, at = 0; w < lengths.length; at += lengths[w++]!) {
      const h = hashes[w]!;
      const n = lengths[w]!;
      let s = (h ^ (h >>> 16)) & this.#mask;
      for (;;) {
        const v = this.#slots[s]!;
        if (v === EMPTY) {
          const added = this.#insert(h, counts[w]!, n);
          this.#pool.set(chars.subarray(at, at + n), this.#start[added]!);
          this.#setUtf8(added, counts[w]!);
          this.#slots[s] = added;
          if (this.size * 2 > this.#slots.length) this.#rehash();
          break;
        }
        if (this.#hash[v] === h && this.#length[v] === n) {
          const start = this.#start[v]!;
          let k = 0;
          while (k < n && this.#pool[start + k] === chars[at + k]) k++;
          if (k === n) {
            this.#count[v] = this.#count[v]! + counts[w]!;
            this.bytes += this.#utf8[v]! * counts[w]!;
            break;
          }
        }
        s = (s + 1) & this.#mask;
      }
    }
  }

  /** This table's contents as arrays (copies). */
  data(): WordTableData {
    return {
      chars: this.#pool.slice(0, this.#poolUsed),
      lengths: this.#length.slice(0, this.size),
      hashes: this.#hash.slice(0, this.size),
      counts: this.#count.slice(0, this.size),
    };
  }

  /** The words and their counts as a `Map`. */
  toMap(): Map<string, number> {
    // All words decode at once into one string, then each is a slice of it. Words start and end
    // at code point boundaries, so no surrogate pair is cut.
    const all = decodeUnits(this.#pool.subarray(0, this.#poolUsed));
    const map = new Map<string, number>();
    for (let w = 0; w < this.size; w++) {
      const s = this.#start[w]!;
      map.set(all.slice(s, s + this.#length[w]!), this.#count[w]!);
    }
    return map;
  }

  #equals(w: number, text: string, start: number, n: number): boolean {
    const pool = this.#pool;
    const s = this.#start[w]!;
    for (let k = 0; k < n; k++) if (pool[s + k] !== text.charCodeAt(start + k)) return false;
    return true;
  }

  /** Adds a word with its hash and count, and room for its `length` code units (to fill). */
  #insert(h: number, count: number, length: number): number {
    const w = this.size++;
    if (w === this.#start.length) this.#growEntries();
    if (this.#poolUsed + length > this.#pool.length) {
      const pool = new Uint16Array(Math.max(this.#pool.length * 2, this.#poolUsed + length));
      pool.set(this.#pool.subarray(0, this.#poolUsed));
      this.#pool = pool;
    }
    this.#start[w] = this.#poolUsed;
    this.#poolUsed += length;
    this.#length[w] = length;
    this.#hash[w] = h;
    this.#count[w] = count;
    return w;
  }

  /** Records word `w`'s UTF-8 length (its code units are in place) and adds `count` of it. */
  #setUtf8(w: number, count: number): void {
    const start = this.#start[w]!;
    const n = utf8Length(this.#pool, start, start + this.#length[w]!);
    this.#utf8[w] = n;
    this.bytes += n * count;
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
    this.#utf8 = grow(this.#utf8, (k) => new Float64Array(k));
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
