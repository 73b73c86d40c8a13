/**
 * The bytes of every ordinary token, packed into one buffer, with a hash index from bytes to id.
 *
 * This is the vocabulary half of a BPE model: `BpeTokenizer` reads token bytes from here when it
 * decodes, and looks up byte strings (a whole pre-token, or the concatenation of two adjacent
 * parts during merging) through the index. Ids need not be contiguous: an id with no bytes is
 * absent (tiktoken's o200k_base, for example, leaves ids unused before its special tokens).
 */
import {
  buildFilter,
  buildIndex,
  digest,
  filterBit,
  filterBitsFor,
  META,
  probe,
} from './internal/byteIndex.js';
import { TokenizerError } from './tokenizerError.js';

/**
 * Lookups before the filter is built: enough that a short text (or a loader's one-word check)
 * never pays for it, few next to the lookups of a page of text.
 */
const FILTER_AFTER = 4096;

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
  /** Built after {@link FILTER_AFTER} lookups (see `internal/byteIndex.ts`). */
  #filter: Int32Array | undefined;
  readonly #filterBits: number;
  #lookups = 0;

  private constructor(pool: Uint8Array, meta: Int32Array, count: number) {
    const size = meta.length / META;
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
    this.#filterBits = filterBitsFor(count);
    this.size = size;
    this.count = count;
    this.maxLength = built.longest;
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
    const meta = new Int32Array(tokens.length * META);
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
      meta[id * META + 2] = t.length;
      meta[id * META + 3] = at;
      at += t.length;
    });
    return new TokenBytes(pool, meta, count);
  }

  /**
   * @internal Builds from an already packed pool (used by the file loaders): `records` holds
   * `META` int32s per id (see `internal/byteIndex.ts`), the third its byte length (0 when absent)
   * and the fourth its offset in `pool`; the first two are filled here.
   */
  static fromPacked(pool: Uint8Array, records: Int32Array, count: number): TokenBytes {
    return new TokenBytes(pool, records, count);
  }

  /** Whether `id` is a token here. */
  has(id: number): boolean {
    return this.lengthOf(id) !== 0;
  }

  /** Byte length of token `id` (0 when absent, also for a value that is not an id). */
  lengthOf(id: number): number {
    return id >>> 0 === id && id < this.size ? this.#meta[id * META + 2]! : 0;
  }

  /** The ids of the tokens of `n` bytes, in increasing order. */
  idsOfLength(n: number): number[] {
    const meta = this.#meta;
    const ids: number[] = [];
    for (let r = 2; r < meta.length; r += META) if (meta[r] === n) ids.push((r - 2) / META);
    return ids;
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
    const h = digest(bytes, start, end);
    const filter = this.#filter;
    if (filter !== undefined) {
      const bit = filterBit(h, this.#filterBits);
      if ((filter[bit >>> 5]! & (1 << (bit & 31))) === 0) return -1;
    }
    const mask = this.#mask;
    const index = this.#index;
    const id = index[probe(index, mask, this.#meta, this.#pool, bytes, start, end, h & mask)]! - 1;
    // Built after the probe, which reads the words `digest` left (the build digests every token).
    if (filter === undefined && ++this.#lookups === FILTER_AFTER) {
      this.#filter = buildFilter(this.#meta, this.#pool, this.#filterBits);
    }
    return id;
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
