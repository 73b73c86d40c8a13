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

// The packed words of the last bytes `digest` read (module state: single-threaded).
let word0 = 0;
let word1 = 0;

/** MurmurHash3's mixing of one 32-bit block into the hash (Appleby, `MurmurHash3_x86_32`). */
function round(h: number, k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = Math.imul((k << 15) | (k >>> 17), 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/**
 * Packs the first eight bytes of `bytes[start, end)` into `word0`/`word1` (little-endian, zeros
 * past the end) and returns the hash of all its bytes: MurmurHash3 over the two words and the
 * length, FNV-1a over any bytes past the eighth, then MurmurHash3's finalizer (the table is
 * indexed by the low bits).
 */
function digest(bytes: Uint8Array, start: number, end: number): number {
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
  let h = round(round(n, w0), w1);
  for (let i = start + 8; i < end; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/**
 * The slot of `index` holding `bytes[s, e)` (its id + 1 in slot[0]), or the empty slot where it
 * goes, searching from slot `home`; `word0`/`word1` hold the bytes' words (see {@link digest}).
 * Bytes past the eighth are compared in `pool` at `starts[id]`.
 */
function probe(
  index: Int32Array,
  mask: number,
  pool: Uint8Array,
  starts: Uint32Array,
  bytes: Uint8Array,
  s: number,
  e: number,
  home: number,
): number {
  const n = e - s;
  for (let slot = home; ; slot = (slot + 1) & mask) {
    const at = slot * SLOT;
    const found = index[at]!;
    if (found === 0) return at;
    if (index[at + 1] === n && index[at + 2] === word0 && index[at + 3] === word1) {
      if (n <= 8) return at;
      let i = starts[found - 1]! + 8;
      let j = s + 8;
      while (j < e && pool[i] === bytes[j]) {
        i++;
        j++;
      }
      if (j === e) return at;
    }
  }
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
  /** Per id, its first eight bytes packed little-endian (decoding copies words, not bytes). */
  readonly #word0: Int32Array;
  readonly #word1: Int32Array;
  readonly #index: Int32Array;
  readonly #mask: number;

  private constructor(pool: Uint8Array, start: Uint32Array, length: Uint32Array, count: number) {
    this.#pool = pool;
    this.#start = start;
    this.#length = length;
    const size = start.length;
    this.size = size;
    this.count = count;
    let capacity = 16;
    while (capacity < count * 2) capacity *= 2;
    const mask = capacity - 1;
    const index = new Int32Array(capacity * SLOT);
    const word0s = new Int32Array(size);
    const word1s = new Int32Array(size);
    this.#index = index;
    this.#mask = mask;
    this.#word0 = word0s;
    this.#word1 = word1s;
    let longest = 0;
    for (let id = 0; id < size; id++) {
      const n = length[id]!;
      if (n === 0) continue;
      if (n > longest) longest = n;
      const s = start[id]!;
      const at = probe(index, mask, pool, start, pool, s, s + n, digest(pool, s, s + n) & mask);
      if (index[at] !== 0) {
        throw new TokenizerError({
          code: 'INVALID_FORMAT',
          fn: 'TokenBytes',
          argument: 'tokens',
          detail: `tokens ${index[at]! - 1} and ${id} have the same bytes; each byte string may have one id only.`,
        });
      }
      index[at] = id + 1;
      index[at + 1] = n;
      index[at + 2] = word0;
      index[at + 3] = word1;
      word0s[id] = word0;
      word1s[id] = word1;
    }
    this.maxLength = longest;
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
    const lengths = this.#length;
    const word0s = this.#word0;
    const word1s = this.#word1;
    const pool = this.#pool;
    const capacity = out.length;
    // Up to this offset, the first eight bytes of every token are stored whatever its length
    // (later tokens overwrite what lies past its end): no branch on the length, whose outcome
    // varies from token to token, is cheaper than the stores it saves.
    const wordLimit = capacity - 8;
    let k = from;
    for (; k < to; k++) {
      const id = ids[k]!;
      const n = lengths[id] ?? 0;
      if (n === 0) break;
      let copied = 0;
      if (at <= wordLimit) {
        let w = word0s[id]!;
        out[at] = w;
        out[at + 1] = w >>> 8;
        out[at + 2] = w >>> 16;
        out[at + 3] = w >>> 24;
        w = word1s[id]!;
        out[at + 4] = w;
        out[at + 5] = w >>> 8;
        out[at + 6] = w >>> 16;
        out[at + 7] = w >>> 24;
        copied = 8;
      }
      if (n > copied) {
        if (at + n > capacity) break;
        const s = this.#start[id]!;
        for (let i = copied; i < n; i++) out[at + i] = pool[s + i]!;
      }
      at += n;
    }
    this.gathered = k;
    return at;
  }

  /** The id whose bytes are `bytes[start, end)`, or -1. */
  lookup(bytes: Uint8Array, start: number, end: number): number {
    const mask = this.#mask;
    const home = digest(bytes, start, end) & mask;
    const index = this.#index;
    return index[probe(index, mask, this.#pool, this.#start, bytes, start, end, home)]! - 1;
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
