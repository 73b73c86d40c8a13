/** Byte-pair merging of a long piece with a heap (see `bpeMerge.ts` for the rule). */
import type { BpeMerger } from './bpeMerge.js';

const SHIFT = 2147483648; // 2^31: a key packs rank × 2^31 + position

/**
 * The O(n log n) heap (4-ary: half the depth of a binary heap, so fewer cache misses on long
 * pieces) over a linked list of parts, for any `n`. Parts are named by their first byte's
 * offset; a heap key packs `rank × 2^31 + offset` into one double, so the minimum is
 * the lowest rank, leftmost on ties. Entries go stale when either part changes; a version per
 * part detects that.
 */
export function mergeHeap(
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
  // At most n − 1 initial pairs plus two per merge (fewer than n merges).
  const keys = new Float64Array(3 * n);
  const versions = new Int32Array(3 * n);
  let size = 0;

  const byteIds = merger.byteIds;
  for (let i = 0; i < n; i++) {
    id[i] = byteIds[bytes[i]!]!;
    next[i] = i + 1;
    prev[i] = i - 1;
  }
  for (let i = 0; i + 1 < n; i++) {
    if (merger.pair(bytes, i, i + 2, id[i]!, id[i + 1]!) >= 0)
      keys[size++] = merger.rank * SHIFT + i;
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
    id[pos] = merger.pair(bytes, pos, after, id[pos]!, id[right]!);
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
      if (merger.pair(bytes, left, end, id[left]!, id[mid]!) < 0) continue;
      const key = merger.rank * SHIFT + left;
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
