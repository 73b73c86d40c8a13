/**
 * The bytes of every ordinary token, packed into one buffer, with a hash index from bytes to id.
 *
 * This is the vocabulary half of a BPE model: `BpeTokenizer` reads token bytes from here when it
 * decodes, and looks up byte strings (a whole pre-token, or the concatenation of two adjacent
 * parts during merging) through the index. Ids need not be contiguous: an id with no bytes is
 * absent (tiktoken's o200k_base, for example, leaves ids unused before its special tokens).
 */
import { TokenizerError } from './tokenizerError.js';

/**
 * The index is open addressing with linear probing; each slot holds four int32s: id + 1 (0 for
 * empty), byte length, and the first eight bytes packed little-endian. Most tokens are at most
 * eight bytes, so a probe usually compares one slot and never touches the pool — the table is
 * larger than the CPU caches, and each avoided memory access counts.
 */
const SLOT = 4;

/** MurmurHash3's 32-bit finalizer (the table is indexed by the low bits). */
function mix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}

// The packed words and hash of the last bytes `#digest` read (module state: single-threaded).
let word0 = 0;
let word1 = 0;

/** Hashes `bytes[start, end)` (FNV-1a, then mixed) and packs its first eight bytes. */
function digest(bytes: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5 | 0;
  for (let i = start; i < end; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  const n = end - start;
  let w0 = 0;
  let w1 = 0;
  if (n >= 8) {
    w0 =
      bytes[start]! |
      (bytes[start + 1]! << 8) |
      (bytes[start + 2]! << 16) |
      (bytes[start + 3]! << 24);
    w1 =
      bytes[start + 4]! |
      (bytes[start + 5]! << 8) |
      (bytes[start + 6]! << 16) |
      (bytes[start + 7]! << 24);
  } else {
    for (let k = 0; k < n; k++) {
      if (k < 4) w0 |= bytes[start + k]! << (8 * k);
      else w1 |= bytes[start + k]! << (8 * (k - 4));
    }
  }
  word0 = w0;
  word1 = w1;
  return mix(h ^ n);
}

/**
 * Packed token bytes with a bytes → id index.
 * @public
 */
export class TokenBytes {
  /** One past the largest id that has bytes. */
  readonly size: number;
  /** Number of ids that have bytes. */
  readonly count: number;
  /** Bytes in the longest token. */
  readonly maxLength: number;
  readonly #pool: Uint8Array;
  readonly #start: Uint32Array;
  readonly #length: Uint32Array;
  readonly #index: Int32Array;
  readonly #mask: number;

  private constructor(pool: Uint8Array, start: Uint32Array, length: Uint32Array, count: number) {
    this.#pool = pool;
    this.#start = start;
    this.#length = length;
    this.size = start.length;
    this.count = count;
    let longest = 0;
    for (let id = 0; id < length.length; id++) if (length[id]! > longest) longest = length[id]!;
    this.maxLength = longest;
    let capacity = 16;
    while (capacity < count * 2) capacity *= 2;
    this.#index = new Int32Array(capacity * SLOT);
    this.#mask = capacity - 1;
    for (let id = 0; id < this.size; id++) {
      const n = length[id]!;
      if (n === 0) continue;
      const s = start[id]!;
      const other = this.#insert(id, s, s + n);
      if (other !== id) {
        throw new TokenizerError({
          code: 'INVALID_FORMAT',
          fn: 'TokenBytes',
          argument: 'tokens',
          detail: `tokens ${other} and ${id} have the same bytes; each byte string may have one id only.`,
        });
      }
    }
  }

  /**
   * Packs token byte strings given by id (`undefined` for an unused id).
   * @throws TokenizerError `INVALID_FORMAT` for an empty token or two ids with the same bytes.
   */
  static fromArray(tokens: readonly (Uint8Array | undefined)[]): TokenBytes {
    let total = 0;
    let count = 0;
    for (const t of tokens) {
      if (t !== undefined) {
        total += t.length;
        count++;
      }
    }
    const pool = new Uint8Array(total);
    const start = new Uint32Array(tokens.length);
    const length = new Uint32Array(tokens.length);
    let at = 0;
    tokens.forEach((t, id) => {
      if (t === undefined) return;
      if (t.length === 0) {
        throw new TokenizerError({
          code: 'INVALID_FORMAT',
          fn: 'TokenBytes.fromArray',
          argument: `tokens[${id}]`,
          detail: 'a token has no bytes; every token needs at least one byte.',
        });
      }
      pool.set(t, at);
      start[id] = at;
      length[id] = t.length;
      at += t.length;
    });
    return new TokenBytes(pool, start, length, count);
  }

  /** @internal Builds from an already packed pool (used by the file loaders). */
  static fromPacked(
    pool: Uint8Array,
    start: Uint32Array,
    length: Uint32Array,
    count: number,
  ): TokenBytes {
    return new TokenBytes(pool, start, length, count);
  }

  /** The slot holding `bytes[s, e)` (its id + 1 in slot[0]), or the empty slot where it goes. */
  #probe(bytes: Uint8Array, s: number, e: number): number {
    const index = this.#index;
    const n = e - s;
    const mask = this.#mask;
    for (let slot = digest(bytes, s, e) & mask; ; slot = (slot + 1) & mask) {
      const at = slot * SLOT;
      const found = index[at]!;
      if (found === 0) return at;
      if (index[at + 1] === n && index[at + 2] === word0 && index[at + 3] === word1) {
        if (n <= 8 || this.#tailEquals(found - 1, bytes, s + 8, e)) return at;
      }
    }
  }

  #tailEquals(id: number, bytes: Uint8Array, s: number, e: number): boolean {
    const pool = this.#pool;
    for (let i = this.#start[id]! + 8, j = s; j < e; i++, j++)
      if (pool[i] !== bytes[j]) return false;
    return true;
  }

  #insert(id: number, s: number, e: number): number {
    const at = this.#probe(this.#pool, s, e);
    const index = this.#index;
    if (index[at] !== 0) return index[at]! - 1;
    index[at] = id + 1;
    index[at + 1] = e - s;
    index[at + 2] = word0;
    index[at + 3] = word1;
    return id;
  }

  /** Whether `id` is a token here. */
  has(id: number): boolean {
    return (this.#length[id] ?? 0) !== 0;
  }

  /** Byte length of token `id` (0 when absent). */
  lengthOf(id: number): number {
    return this.#length[id] ?? 0;
  }

  /** The bytes of token `id` (a view into the pool; do not modify). Empty when absent. */
  bytes(id: number): Uint8Array {
    const s = this.#start[id] ?? 0;
    return this.#pool.subarray(s, s + (this.#length[id] ?? 0));
  }

  /** Where the last {@link gather} stopped in its `ids`. */
  gathered = 0;

  /**
   * Copies the bytes of `ids[from, to)` into `out` at `at`, stopping at the first id that is not a
   * token here or whose bytes do not fit; returns the position after the bytes copied and sets
   * {@link gathered} to the index it stopped at.
   */
  gather(ids: ArrayLike<number>, from: number, to: number, out: Uint8Array, at: number): number {
    const pool = this.#pool;
    const starts = this.#start;
    const lengths = this.#length;
    const capacity = out.length;
    let k = from;
    for (; k < to; k++) {
      const id = ids[k]!;
      const n = lengths[id] ?? 0;
      if (n === 0 || at + n > capacity) break;
      const s = starts[id]!;
      if (n <= 8) {
        for (let i = 0; i < n; i++) out[at + i] = pool[s + i]!;
      } else {
        out.set(pool.subarray(s, s + n), at);
      }
      at += n;
    }
    this.gathered = k;
    return at;
  }

  /** The id whose bytes are `bytes[start, end)`, or -1. */
  lookup(bytes: Uint8Array, start: number, end: number): number {
    return this.#index[this.#probe(bytes, start, end)]! - 1;
  }

  /** The id whose bytes are those of `a` followed by those of `b`, or -1. */
  lookupPair(a: number, b: number): number {
    const na = this.lengthOf(a);
    const joined = new Uint8Array(na + this.lengthOf(b));
    joined.set(this.bytes(a));
    joined.set(this.bytes(b), na);
    return this.lookup(joined, 0, joined.length);
  }
}
