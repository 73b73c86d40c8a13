/** Byte-pair merging of a very long piece with rank buckets (see `bpeMerge.ts` for the rule). */
import type { BpeMerger } from './bpeMerge.js';

const SHIFT = 2147483648; // 2^31: a key packs position × 2^31 + version

/**
 * The same rule for very long pieces, with entries bucketed by rank instead of one big heap:
 * only the (few) distinct ranks go through a heap, and each bucket is sorted by position when
 * its turn comes. No entry of rank r can appear while bucket r is processed (a new pair is
 * longer than the token just made, so it is another token), and one of a lower rank stops the
 * pass and returns the rest of bucket r: the order of merges is exactly the heap's.
 */
export function mergeBuckets(
  merger: BpeMerger,
  bytes: Uint8Array,
  n: number,
  out: Uint32Array,
  at: number,
): number {
  const id = new Int32Array(n);
  const next = new Int32Array(n);
  const prev = new Int32Array(n);
  const version = new Int32Array(n);
  // The id the pair at each position merges into, for its current version: the entry that merges
  // it need not look its bytes up again.
  const pairId = new Int32Array(n);
  // Entries: linked lists per bucket, `position × 2^31 + version` per entry.
  let entryKey = new Float64Array(n + 64);
  let entryNext = new Int32Array(n + 64);
  let entries = 0;
  // Entries of drained buckets, linked through `entryNext`, for reuse: the arrays hold about as
  // many entries as are live, not every entry ever made (a merge makes up to two).
  let free = -1;
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
    let e = free;
    if (e !== -1) free = entryNext[e]!;
    else {
      if (entries === entryKey.length) {
        const k = new Float64Array(entries * 2);
        k.set(entryKey);
        entryKey = k;
        const nx = new Int32Array(entries * 2);
        nx.set(entryNext);
        entryNext = nx;
      }
      e = entries++;
    }
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

  const byteIds = merger.byteIds;
  const pairMerged = merger.bytePairMerged;
  const pairRank = merger.bytePairRank;
  for (let i = 0; i < n; i++) {
    id[i] = byteIds[bytes[i]!]!;
    next[i] = i + 1;
    prev[i] = i - 1;
  }
  for (let i = 0; i + 1 < n; i++) {
    const key = (bytes[i]! << 8) | bytes[i + 1]!;
    pairId[i] = pairMerged[key]!;
    if (pairId[i]! >= 0) add(pairRank[key]!, i * SHIFT);
  }

  let batch = new Float64Array(64);
  while (ranks.length > 0) {
    const r = popRank();
    const b = bucketOf.get(r)!;
    let m = 0;
    let ordered = true;
    for (let e = head[b]!; e !== -1; e = entryNext[e]!) {
      if (m === batch.length) {
        const grown = new Float64Array(m * 2);
        grown.set(batch);
        batch = grown;
      }
      const key = entryKey[e]!;
      if (m > 0 && key < batch[m - 1]!) ordered = false;
      batch[m++] = key;
    }
    entryNext[tail[b]!] = free;
    free = head[b]!;
    head[b] = -1;
    tail[b] = -1;
    // A bucket filled during one pass over another is already in position order (the pass goes
    // left to right); sorting is needed only where passes interleaved.
    const sorted = ordered ? batch.subarray(0, m) : batch.subarray(0, m).sort();
    for (let k = 0; k < m; k++) {
      const key = sorted[k]!;
      const pos = Math.floor(key / SHIFT);
      if (version[pos] !== key - pos * SHIFT) continue; // stale
      const right = next[pos]!;
      const after = next[right]!;
      id[pos] = pairId[pos]!;
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
        const merged = merger.pair(bytes, left, end, id[left]!, id[mid]!);
        if (merged < 0) continue;
        pairId[left] = merged;
        add(merger.rank, left * SHIFT + version[left]!);
        if (merger.rank < lowest) lowest = merger.rank;
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
