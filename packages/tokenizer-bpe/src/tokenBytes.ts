/**
 * The bytes of every ordinary token, packed into one buffer, with a hash index from bytes to id.
 *
 * This is the vocabulary half of a BPE model: `BpeTokenizer` reads token bytes from here when it
 * decodes, and looks up byte strings (a whole pre-token, or the concatenation of two adjacent
 * parts during merging) through the index. Ids need not be contiguous: an id with no bytes is
 * absent (tiktoken's o200k_base, for example, leaves ids unused before its special tokens).
 */
import { TokenizerError } from './tokenizerError.js';

const EMPTY = -1;

/** FNV-1a over bytes, 32-bit (Fowler–Noll–Vo, http://www.isthe.com/chongo/tech/comp/fnv/). */
function hashBytes(bytes: Uint8Array, start: number, end: number, seed: number): number {
  let h = seed;
  for (let i = start; i < end; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return h;
}
const FNV_OFFSET = 0x811c9dc5 | 0;

/**
 * Packed token bytes with a bytes → id index.
 * @public
 */
export class TokenBytes {
  /** One past the largest id that has bytes. */
  readonly size: number;
  /** Number of ids that have bytes. */
  readonly count: number;
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
    let capacity = 16;
    while (capacity < count * 2) capacity *= 2;
    this.#index = new Int32Array(capacity).fill(EMPTY);
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

  #insert(id: number, s: number, e: number): number {
    const pool = this.#pool;
    let slot = hashBytes(pool, s, e, FNV_OFFSET) & this.#mask;
    for (;;) {
      const found = this.#index[slot]!;
      if (found === EMPTY) {
        this.#index[slot] = id;
        return id;
      }
      if (this.#equals(found, pool, s, e)) return found;
      slot = (slot + 1) & this.#mask;
    }
  }

  #equals(id: number, bytes: Uint8Array, s: number, e: number): boolean {
    if (this.#length[id] !== e - s) return false;
    const pool = this.#pool;
    for (let i = this.#start[id]!, j = s; j < e; i++, j++) if (pool[i] !== bytes[j]) return false;
    return true;
  }

  /** Whether `id` is a token here. */
  has(id: number): boolean {
    return id >= 0 && id < this.size && this.#length[id] !== 0;
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

  /** Copies the bytes of `id` into `out` at `at`; returns the position after them. */
  copyTo(id: number, out: Uint8Array, at: number): number {
    const pool = this.#pool;
    const s = this.#start[id]!;
    const n = this.#length[id]!;
    if (n < 16) {
      for (let i = 0; i < n; i++) out[at + i] = pool[s + i]!;
    } else {
      out.set(pool.subarray(s, s + n), at);
    }
    return at + n;
  }

  /** The id whose bytes are `bytes[start, end)`, or -1. */
  lookup(bytes: Uint8Array, start: number, end: number): number {
    let slot = hashBytes(bytes, start, end, FNV_OFFSET) & this.#mask;
    for (;;) {
      const found = this.#index[slot]!;
      if (found === EMPTY) return -1;
      if (this.#equals(found, bytes, start, end)) return found;
      slot = (slot + 1) & this.#mask;
    }
  }

  /** The id whose bytes are those of `a` followed by those of `b`, or -1. */
  lookupPair(a: number, b: number): number {
    const pool = this.#pool;
    const sa = this.#start[a]!;
    const na = this.#length[a]!;
    const sb = this.#start[b]!;
    const nb = this.#length[b]!;
    const h = hashBytes(pool, sb, sb + nb, hashBytes(pool, sa, sa + na, FNV_OFFSET));
    for (let slot = h & this.#mask; ; slot = (slot + 1) & this.#mask) {
      const found = this.#index[slot]!;
      if (found === EMPTY) return -1;
      if (this.#length[found] !== na + nb) continue;
      let i = this.#start[found]!;
      let same = true;
      for (let j = 0; j < na && same; j++) same = pool[i++] === pool[sa + j];
      for (let j = 0; j < nb && same; j++) same = pool[i++] === pool[sb + j];
      if (same) return found;
    }
  }
}
