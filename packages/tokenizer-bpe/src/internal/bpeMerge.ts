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
/** Pieces longer than this use rank buckets; those in between, the heap. */
export const LARGE_PIECE = 4096;
const SHIFT = 2147483648; // 2^31: packs (rank or position) × 2^31 + (position or version)

export class BpeMerger {
  readonly #vocab: TokenBytes;
  readonly #pairs: PairTable;
  readonly #ranksMode: boolean;
  readonly #byteIds: Int32Array;
  readonly #maxLength: number;
  /** Merged id (or -1) and rank of each pair of single bytes `a << 8 | b`. */
  readonly #bytePairMerged: Int32Array;
  readonly #bytePairRank: Int32Array;
  #rank = 0;
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
    this.#byteIds = byteIds;
    this.#maxLength = vocab.maxLength;
    // Every merge of two single bytes, precomputed: the first lookups of every piece.
    const merged = new Int32Array(65536).fill(-1);
    const ranks = new Int32Array(65536);
    if (ranksMode) {
      // With ranks, a two-byte token is the merge of its bytes, ranked by its id.
      for (let id = 0; id < vocab.size; id++) {
        if (vocab.lengthOf(id) !== 2) continue;
        const [a, b] = vocab.bytes(id);
        merged[(a! << 8) | b!] = id;
        ranks[(a! << 8) | b!] = id;
      }
    } else {
      for (let a = 0; a < 256; a++) {
        for (let b = 0; b < 256; b++) {
          merged[(a << 8) | b] = pairs.get(byteIds[a]!, byteIds[b]!);
          ranks[(a << 8) | b] = pairs.lastRank;
        }
      }
    }
    this.#bytePairMerged = merged;
    this.#bytePairRank = ranks;
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
    if (n <= SMALL_PIECE) return this.mergeFlat(bytes, n, out, at);
    return n <= LARGE_PIECE
      ? this.mergeHeap(bytes, n, out, at)
      : this.mergeBuckets(bytes, n, out, at);
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
    const byteIds = this.#byteIds;
    const pairMerged = this.#bytePairMerged;
    const pairRank = this.#bytePairRank;
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
        merged[best] = this.#pair(bytes, best, next[after]!, ids[best]!, ids[after]!);
        ranks[best] = this.#rank;
      } else merged[best] = -1;
      if (bestBefore >= 0) {
        merged[bestBefore] = this.#pair(bytes, bestBefore, after, ids[bestBefore]!, ids[best]!);
        ranks[bestBefore] = this.#rank;
      }
    }
    let count = 0;
    for (let p = 0; p < n; p = next[p]!) out[at + count++] = ids[p]!;
    return count;
  }

  /**
   * The O(n log n) heap (4-ary: half the depth of a binary heap, so fewer cache misses on long
   * pieces) over a linked list of parts, for any `n`. Parts are named by their first byte's
   * offset; a heap key packs `rank × 2^31 + offset` into one double, so the minimum is
   * the lowest rank, leftmost on ties. Entries go stale when either part changes; a version per
   * part detects that.
   */
  mergeHeap(bytes: Uint8Array, n: number, out: Uint32Array, at: number): number {
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

  /**
   * The same rule for very long pieces, with entries bucketed by rank instead of one big heap:
   * only the (few) distinct ranks go through a heap, and each bucket is sorted by position when
   * its turn comes. No entry of rank r can appear while bucket r is processed (a new pair is
   * longer than the token just made, so it is another token), and one of a lower rank stops the
   * pass and returns the rest of bucket r: the order of merges is exactly the heap's.
   */
  mergeBuckets(bytes: Uint8Array, n: number, out: Uint32Array, at: number): number {
    const id = new Int32Array(n);
    const next = new Int32Array(n);
    const prev = new Int32Array(n);
    const version = new Int32Array(n);
    // Entries: linked lists per bucket, `position × 2^31 + version` per entry.
    let entryKey = new Float64Array(2 * n);
    let entryNext = new Int32Array(2 * n);
    let entries = 0;
    const bucketOf = new Map<number, number>(); // rank → bucket
    const head: number[] = [];
    const tail: number[] = [];
    const ranks: number[] = []; // min-heap of ranks whose bucket is not empty

    const pushRank = (r: number): void => {
      let i = ranks.length;
      ranks.push(r);
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (ranks[parent]! <= r) break;
        ranks[i] = ranks[parent]!;
        i = parent;
      }
      ranks[i] = r;
    };
    const popRank = (): number => {
      const top = ranks[0]!;
      const last = ranks.pop()!;
      if (ranks.length > 0) {
        let i = 0;
        for (let child = 1; child < ranks.length; child = 2 * i + 1) {
          if (child + 1 < ranks.length && ranks[child + 1]! < ranks[child]!) child++;
          if (ranks[child]! >= last) break;
          ranks[i] = ranks[child]!;
          i = child;
        }
        ranks[i] = last;
      }
      return top;
    };
    const add = (r: number, key: number): void => {
      if (entries === entryKey.length) {
        const k = new Float64Array(entries * 2);
        k.set(entryKey);
        entryKey = k;
        const nx = new Int32Array(entries * 2);
        nx.set(entryNext);
        entryNext = nx;
      }
      const e = entries++;
      entryKey[e] = key;
      entryNext[e] = -1;
      let b = bucketOf.get(r);
      if (b === undefined) {
        b = head.length;
        bucketOf.set(r, b);
        head.push(-1);
        tail.push(-1);
      }
      if (head[b] === -1) {
        head[b] = e;
        pushRank(r);
      } else entryNext[tail[b]!] = e;
      tail[b] = e;
    };

    const byteIds = this.#byteIds;
    const pairMerged = this.#bytePairMerged;
    const pairRank = this.#bytePairRank;
    for (let i = 0; i < n; i++) {
      id[i] = byteIds[bytes[i]!]!;
      next[i] = i + 1;
      prev[i] = i - 1;
    }
    for (let i = 0; i + 1 < n; i++) {
      const key = (bytes[i]! << 8) | bytes[i + 1]!;
      if (pairMerged[key]! >= 0) add(pairRank[key]!, i * SHIFT);
    }

    let batch = new Float64Array(64);
    while (ranks.length > 0) {
      const r = popRank();
      const b = bucketOf.get(r)!;
      let m = 0;
      for (let e = head[b]!; e !== -1; e = entryNext[e]!) {
        if (m === batch.length) {
          const grown = new Float64Array(m * 2);
          grown.set(batch);
          batch = grown;
        }
        batch[m++] = entryKey[e]!;
      }
      head[b] = -1;
      tail[b] = -1;
      const sorted = batch.subarray(0, m).sort();
      for (let k = 0; k < m; k++) {
        const key = sorted[k]!;
        const pos = Math.floor(key / SHIFT);
        if (version[pos] !== key - pos * SHIFT) continue; // stale
        const right = next[pos]!;
        const after = next[right]!;
        id[pos] = this.#pair(bytes, pos, after, id[pos]!, id[right]!);
        next[pos] = after;
        if (after < n) prev[after] = pos;
        version[right] = -1;
        version[pos] = version[pos]! + 1;
        const before = prev[pos]!;
        if (before >= 0) version[before] = version[before]! + 1;
        let lowest = Number.POSITIVE_INFINITY;
        for (let side = 0; side < 2; side++) {
          const left = side === 0 ? before : pos;
          if (left < 0) continue;
          const mid = next[left]!;
          if (mid >= n) continue;
          const end = mid + 1 < n ? next[mid]! : n;
          if (this.#pair(bytes, left, end, id[left]!, id[mid]!) < 0) continue;
          add(this.#rank, left * SHIFT + version[left]!);
          if (this.#rank < lowest) lowest = this.#rank;
        }
        if (lowest < r) {
          // A lower rank appeared: it goes first; the rest of this bucket waits, in order.
          for (let rest = k + 1; rest < m; rest++) add(r, sorted[rest]!);
          break;
        }
      }
    }
    let count = 0;
    for (let i = 0; i < n; i = next[i]!) out[at + count++] = id[i]!;
    return count;
  }
}
