/**
 * Byte-pair merging of one pre-token: start from one token per byte, then repeatedly merge the
 * adjacent pair with the lowest rank, the leftmost one on ties — the rule of tiktoken's
 * `byte_pair_merge` (`src/lib.rs`) and of Hugging Face's `Word::merge_all` (`models/bpe/word.rs`).
 *
 * Two implementations of that one rule. Short pieces (almost all of them) use tiktoken's scan of
 * a flat array, O(n²) but fastest for small n. Long pieces use a binary heap keyed by
 * (rank, position) over a doubly linked list of parts, with stale entries skipped: O(n log n), so
 * a megabyte of one repeated letter takes a fraction of a second instead of hours. Tests check
 * that both give the same ids.
 */
import type { TokenBytes } from '../tokenBytes.js';
import { NO_MERGE, type PairTable } from './pairTable.js';

/** Pieces up to this many bytes use the flat scan. */
export const SMALL_PIECE = 48;

export class BpeMerger {
  readonly #vocab: TokenBytes;
  readonly #pairs: PairTable;
  readonly #ranksMode: boolean;
  readonly #byteIds: Int32Array;
  readonly #maxLength: number;
  #rank = 0;
  // Scratch for the flat scan.
  readonly #ids = new Int32Array(SMALL_PIECE);
  readonly #starts = new Int32Array(SMALL_PIECE + 1);
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
    this.#byteIds = byteIds;
    this.#maxLength = vocab.maxLength;
  }

  /**
   * The id that parts `a = bytes[s, m)` and `b = bytes[m, e)` merge into (its rank in `#rank`),
   * or -1. With ranks, the concatenation is looked up directly, as tiktoken does.
   */
  #pair(bytes: Uint8Array, s: number, e: number, a: number, b: number): number {
    if (this.#ranksMode) {
      const m = e - s > this.#maxLength ? -1 : this.#vocab.lookup(bytes, s, e);
      this.#rank = m;
      return m;
    }
    const m = this.#pairs.get(a, b);
    if (m < 0) return NO_MERGE;
    this.#rank = this.#pairs.lastRank;
    return m;
  }

  /** Merges `bytes[0, n)` and writes the resulting ids to `out`; returns how many. */
  merge(bytes: Uint8Array, n: number, out: Uint32Array, at: number): number {
    return n <= SMALL_PIECE ? this.mergeFlat(bytes, n, out, at) : this.mergeHeap(bytes, n, out, at);
  }

  /** The flat O(n²) scan; `n ≤ SMALL_PIECE`. */
  mergeFlat(bytes: Uint8Array, n: number, out: Uint32Array, at: number): number {
    const ids = this.#ids;
    const starts = this.#starts;
    const merged = this.#merged;
    const ranks = this.#ranks;
    const byteIds = this.#byteIds;
    for (let i = 0; i < n; i++) {
      ids[i] = byteIds[bytes[i]!]!;
      starts[i] = i;
    }
    starts[n] = n;
    for (let i = 0; i + 1 < n; i++) {
      merged[i] = this.#pair(bytes, i, i + 2, ids[i]!, ids[i + 1]!);
      ranks[i] = this.#rank;
    }
    let len = n;
    for (;;) {
      let best = -1;
      let bestRank = 0x7fffffff;
      for (let i = 0; i + 1 < len; i++) {
        if (merged[i]! >= 0 && ranks[i]! < bestRank) {
          bestRank = ranks[i]!;
          best = i;
        }
      }
      if (best < 0) break;
      ids[best] = merged[best]!;
      len--;
      for (let j = best + 1; j < len; j++) {
        ids[j] = ids[j + 1]!;
        starts[j] = starts[j + 1]!;
        merged[j] = merged[j + 1]!;
        ranks[j] = ranks[j + 1]!;
      }
      starts[len] = n;
      if (best + 1 < len) {
        merged[best] = this.#pair(
          bytes,
          starts[best]!,
          starts[best + 2]!,
          ids[best]!,
          ids[best + 1]!,
        );
        ranks[best] = this.#rank;
      }
      if (best > 0) {
        merged[best - 1] = this.#pair(
          bytes,
          starts[best - 1]!,
          starts[best + 1]!,
          ids[best - 1]!,
          ids[best]!,
        );
        ranks[best - 1] = this.#rank;
      }
    }
    for (let i = 0; i < len; i++) out[at + i] = ids[i]!;
    return len;
  }

  /**
   * The O(n log n) heap (4-ary: half the depth of a binary heap, so fewer cache misses on long
   * pieces) over a linked list of parts, for any `n`. Parts are named by their first byte's
   * offset; a heap key packs `rank × 2^31 + offset` into one double, so the minimum is
   * the lowest rank, leftmost on ties. Entries go stale when either part changes; a version per
   * part detects that.
   */
  mergeHeap(bytes: Uint8Array, n: number, out: Uint32Array, at: number): number {
    const SHIFT = 2147483648; // 2^31
    const id = new Int32Array(n);
    const next = new Int32Array(n);
    const prev = new Int32Array(n);
    const version = new Int32Array(n);
    // At most n − 1 initial pairs plus two per merge (fewer than n merges).
    const keys = new Float64Array(3 * n);
    const versions = new Int32Array(3 * n);
    let size = 0;

    const byteIds = this.#byteIds;
    for (let i = 0; i < n; i++) {
      id[i] = byteIds[bytes[i]!]!;
      next[i] = i + 1;
      prev[i] = i - 1;
    }
    for (let i = 0; i + 1 < n; i++) {
      if (this.#pair(bytes, i, i + 2, id[i]!, id[i + 1]!) >= 0)
        keys[size++] = this.#rank * SHIFT + i;
    }
    // Heapify bottom-up in O(n) (all initial versions are 0).
    for (let start = (size - 2) >> 2; start >= 0; start--) {
      const key = keys[start]!;
      let i = start;
      for (let first = 4 * i + 1; first < size; first = 4 * i + 1) {
        let child = first;
        const last = Math.min(first + 4, size);
        for (let c = first + 1; c < last; c++) if (keys[c]! < keys[child]!) child = c;
        if (keys[child]! >= key) break;
        keys[i] = keys[child]!;
        i = child;
      }
      keys[i] = key;
    }

    while (size > 0) {
      const top = keys[0]!;
      const topRank = Math.floor(top / SHIFT);
      const pos = top - topRank * SHIFT;
      const stale = versions[0] !== version[pos];
      // Pop: move the last entry to the root and sift it down.
      size--;
      if (size > 0) {
        const key = keys[size]!;
        const ver = versions[size]!;
        let i = 0;
        for (let first = 1; first < size; first = 4 * i + 1) {
          let child = first;
          const last = Math.min(first + 4, size);
          for (let c = first + 1; c < last; c++) if (keys[c]! < keys[child]!) child = c;
          if (keys[child]! >= key) break;
          keys[i] = keys[child]!;
          versions[i] = versions[child]!;
          i = child;
        }
        keys[i] = key;
        versions[i] = ver;
      }
      if (stale) continue;
      // Merge part `pos` with the part after it.
      const right = next[pos]!;
      const after = next[right]!;
      id[pos] = this.#pair(bytes, pos, after, id[pos]!, id[right]!);
      next[pos] = after;
      if (after < n) prev[after] = pos;
      version[right] = -1;
      version[pos] = version[pos]! + 1;
      const before = prev[pos]!;
      if (before >= 0) version[before] = version[before]! + 1;
      // Push the new pairs on either side: (before, pos) and (pos, after).
      for (let side = 0; side < 2; side++) {
        const left = side === 0 ? before : pos;
        if (left < 0) continue;
        const mid = next[left]!;
        if (mid >= n) continue;
        const end = mid + 1 < n ? next[mid]! : n;
        if (this.#pair(bytes, left, end, id[left]!, id[mid]!) < 0) continue;
        const key = this.#rank * SHIFT + left;
        const ver = version[left]!;
        let i = size++;
        while (i > 0) {
          const parent = (i - 1) >> 2;
          if (keys[parent]! <= key) break;
          keys[i] = keys[parent]!;
          versions[i] = versions[parent]!;
          i = parent;
        }
        keys[i] = key;
        versions[i] = ver;
      }
    }
    let count = 0;
    for (let i = 0; i < n; i = next[i]!) out[at + count++] = id[i]!;
    return count;
  }
}
