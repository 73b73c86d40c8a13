/**
 * Byte-pair merging of one pre-token: start from one token per byte, then repeatedly merge the
 * adjacent pair with the lowest rank, the leftmost one on ties — the rule of tiktoken's
 * `byte_pair_merge` (`src/lib.rs`) and of Hugging Face's `Word::merge_all` (`models/bpe/word.rs`).
 * This file holds the pair lookups and the flat scan; `mergeHeap.ts` and `mergeBuckets.ts` the
 * long-piece variants.
 *
 * Two implementations of that one rule. Short pieces (almost all of them) use tiktoken's scan of
 * a flat array, O(n²) but fastest for small n. Long pieces use a binary heap keyed by
 * (rank, position) over a doubly linked list of parts, with stale entries skipped: O(n log n), so
 * a megabyte of one repeated letter takes a fraction of a second instead of hours. Tests check
 * that both give the same ids.
 */
import type { TokenBytes } from '../tokenBytes.js';
import { mergeBuckets } from './mergeBuckets.js';
import { mergeHeap } from './mergeHeap.js';
import { NO_MERGE, type PairTable } from './pairTable.js';

/** Pieces up to this many bytes use the flat scan. */
export const SMALL_PIECE = 48;
/** Pieces longer than this use rank buckets; those in between, the heap. */
export const LARGE_PIECE = 4096;

export class BpeMerger {
  readonly #vocab: TokenBytes;
  readonly #pairs: PairTable;
  readonly #ranksMode: boolean;
  readonly byteIds: Int32Array;
  readonly #maxLength: number;
  /** Merged id (or -1) and rank of each pair of single bytes `a << 8 | b`. */
  readonly bytePairMerged: Int32Array;
  readonly bytePairRank: Int32Array;
  /** The rank of the merge the last {@link pair} call found. */
  rank = 0;
  // Scratch for the flat scan.
  readonly #ids = new Int32Array(SMALL_PIECE);
  readonly #next = new Int32Array(SMALL_PIECE);
  readonly #merged = new Int32Array(SMALL_PIECE);
  readonly #ranks = new Int32Array(SMALL_PIECE);

  /**
   * @param ranksMode - tiktoken semantics: two parts merge when their concatenated bytes are a
   *   token, with that token's id as rank (`pairs` is unused). Otherwise only the pairs in
   *   `pairs` merge.
   * @param byteIds - the token id of each single byte
   */
  constructor(vocab: TokenBytes, pairs: PairTable, ranksMode: boolean, byteIds: Int32Array) {
    this.#vocab = vocab;
    this.#pairs = pairs;
    this.#ranksMode = ranksMode;
    this.byteIds = byteIds;
    this.#maxLength = vocab.maxLength;
    // Every merge of two single bytes, precomputed: the first lookups of every piece.
    const merged = new Int32Array(65536).fill(-1);
    const ranks = new Int32Array(65536);
    if (ranksMode) {
      // With ranks, a two-byte token is the merge of its bytes, ranked by its id.
      for (const id of vocab.idsOfLength(2)) {
        const bytes = vocab.bytes(id);
        const key = (bytes[0]! << 8) | bytes[1]!;
        merged[key] = id;
        ranks[key] = id;
      }
    } else {
      for (let a = 0; a < 256; a++) {
        for (let b = 0; b < 256; b++) {
          merged[(a << 8) | b] = pairs.get(byteIds[a]!, byteIds[b]!);
          ranks[(a << 8) | b] = pairs.lastRank;
        }
      }
    }
    this.bytePairMerged = merged;
    this.bytePairRank = ranks;
  }

  /**
   * The id that parts `a = bytes[s, m)` and `b = bytes[m, e)` merge into (its rank in `#rank`),
   * or -1. With ranks, the concatenation is looked up directly, as tiktoken does.
   */
  pair(bytes: Uint8Array, s: number, e: number, a: number, b: number): number {
    if (this.#ranksMode) {
      const m = e - s > this.#maxLength ? -1 : this.#vocab.lookup(bytes, s, e);
      this.rank = m;
      return m;
    }
    const m = this.#pairs.get(a, b);
    if (m < 0) return NO_MERGE;
    this.rank = this.#pairs.lastRank;
    return m;
  }

  /** Merges `bytes[0, n)` and writes the resulting ids to `out`; returns how many. */
  merge(bytes: Uint8Array, n: number, out: Uint32Array, at: number): number {
    if (n <= SMALL_PIECE) return this.mergeFlat(bytes, n, out, at);
    return n <= LARGE_PIECE
      ? mergeHeap(this, bytes, n, out, at)
      : mergeBuckets(this, bytes, n, out, at);
  }

  /**
   * tiktoken's flat scan, O(n²), for `n ≤ SMALL_PIECE`: find the lowest-ranked pair, merge,
   * repeat. Parts are a linked list over byte offsets (`next`), so a merge relinks instead of
   * shifting arrays; `merged[p]`/`ranks[p]` describe the pair starting at part `p`.
   */
  mergeFlat(bytes: Uint8Array, n: number, out: Uint32Array, at: number): number {
    const ids = this.#ids;
    const next = this.#next;
    const merged = this.#merged;
    const ranks = this.#ranks;
    const byteIds = this.byteIds;
    const pairMerged = this.bytePairMerged;
    const pairRank = this.bytePairRank;
    for (let i = 0; i < n; i++) {
      ids[i] = byteIds[bytes[i]!]!;
      next[i] = i + 1;
    }
    for (let i = 0; i + 1 < n; i++) {
      const key = (bytes[i]! << 8) | bytes[i + 1]!;
      merged[i] = pairMerged[key]!;
      ranks[i] = pairRank[key]!;
    }
    merged[n - 1] = -1;
    for (;;) {
      let best = -1;
      let before = -1;
      let bestBefore = -1;
      let bestRank = 0x7fffffff;
      for (let p = 0; p < n; before = p, p = next[p]!) {
        if (merged[p]! >= 0 && ranks[p]! < bestRank) {
          bestRank = ranks[p]!;
          best = p;
          bestBefore = before;
        }
      }
      if (best < 0) break;
      // Merge part `best` with the part after it, then re-rank the pairs on either side.
      ids[best] = merged[best]!;
      const after = next[next[best]!]!;
      next[best] = after;
      if (after < n) {
        merged[best] = this.pair(bytes, best, next[after]!, ids[best]!, ids[after]!);
        ranks[best] = this.rank;
      } else merged[best] = -1;
      if (bestBefore >= 0) {
        merged[bestBefore] = this.pair(bytes, bestBefore, after, ids[bestBefore]!, ids[best]!);
        ranks[bestBefore] = this.rank;
      }
    }
    let count = 0;
    for (let p = 0; p < n; p = next[p]!) out[at + count++] = ids[p]!;
    return count;
  }
}
