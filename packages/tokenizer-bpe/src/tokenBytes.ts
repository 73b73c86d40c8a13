/**
 * The bytes of every ordinary token, packed into one buffer, with a hash index from bytes to id.
 *
 * This is the vocabulary half of a BPE model: `BpeTokenizer` reads token bytes from here when it
 * decodes, and looks up byte strings (a whole pre-token, or the concatenation of two adjacent
 * parts during merging) through the index. Ids need not be contiguous: an id with no bytes is
 * absent (tiktoken's o200k_base, for example, leaves ids unused before its special tokens).
 */
import { buildIndex, digest, META, probe } from './internal/byteIndex.js';
import { TokenizerError } from './tokenizerError.js';

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
  /** Per id: its first eight bytes as two words, its length and its offset in the pool. */
  readonly #meta: Int32Array;
  readonly #index: Int32Array;
  readonly #mask: number;

  private constructor(pool: Uint8Array, start: Uint32Array, length: Uint32Array, count: number) {
    const size = start.length;
    const meta = new Int32Array(size * META);
    let longest = 0;
    for (let id = 0; id < size; id++) {
      const n = length[id]!;
      if (n > longest) longest = n;
      meta[id * META + 2] = n;
      meta[id * META + 3] = start[id]!;
    }
    const built = buildIndex(meta, pool, size, count);
    if (!('index' in built)) {
      throw new TokenizerError({
        code: 'INVALID_FORMAT',
        fn: 'TokenBytes',
        argument: 'tokens',
        detail: `tokens ${built.first} and ${built.second} have the same bytes; each byte string may have one id only.`,
      });
    }
    this.#pool = pool;
    this.#meta = meta;
    this.#index = built.index;
    this.#mask = built.mask;
    this.size = size;
    this.count = count;
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
    return this.lengthOf(id) !== 0;
  }

  /** Byte length of token `id` (0 when absent, also for a value that is not an id). */
  lengthOf(id: number): number {
    return id >>> 0 === id && id < this.size ? this.#meta[id * META + 2]! : 0;
  }

  /** The bytes of token `id` (a view into the pool; do not modify). Empty when absent. */
  bytes(id: number): Uint8Array {
    const n = this.lengthOf(id);
    const s = n === 0 ? 0 : this.#meta[id * META + 3]!;
    return this.#pool.subarray(s, s + n);
  }

  /** Where the last {@link gather} stopped in its `ids`. */
  gathered = 0;

  /**
   * Copies the bytes of `ids[from, to)` into `out` at `at`, stopping at the first id that is not a
   * token here or whose bytes do not fit; returns the position after the bytes copied and sets
   * {@link gathered} to the index it stopped at.
   */
  gather(ids: ArrayLike<number>, from: number, to: number, out: Uint8Array, at: number): number {
    const meta = this.#meta;
    const size = this.size;
    const pool = this.#pool;
    const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
    const capacity = out.length;
    // Up to this offset, the first eight bytes of every token are stored as two unaligned words
    // whatever its length (later tokens overwrite what lies past its end): no branch on the
    // length, whose outcome varies from token to token, is cheaper than the stores it saves.
    const wordLimit = capacity - 8;
    let k = from;
    for (; k < to; k++) {
      const id = ids[k]!;
      if (id >>> 0 !== id || id >= size) break;
      const r = id * META;
      const n = meta[r + 2]!;
      if (n === 0) break;
      let copied = 0;
      if (at <= wordLimit) {
        view.setInt32(at, meta[r]!, true);
        view.setInt32(at + 4, meta[r + 1]!, true);
        copied = 8;
      }
      if (n > copied) {
        if (at + n > capacity) break;
        const s = meta[r + 3]!;
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
    return index[probe(index, mask, this.#meta, this.#pool, bytes, start, end, home)]! - 1;
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
