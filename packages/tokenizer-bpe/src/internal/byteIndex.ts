/**
 * The hash index from token bytes to id behind `TokenBytes`, over its per-id records.
 *
 * Records: four int32s per id (`META` apart): the first eight bytes packed little-endian (zeros
 * past the end), the byte length (0 for an absent id), and the offset of the bytes in the pool.
 *
 * Index: open addressing with linear probing; each slot holds four int32s: id + 1 (0 for empty),
 * byte length, and the first eight bytes. Most tokens are at most eight bytes, so a probe usually
 * compares one slot and never touches the pool — the table is larger than the CPU caches, and
 * each avoided memory access counts.
 *
 * Filter: a one-hash Bloom filter (Bloom 1970, "Space/time trade-offs in hash coding with
 * allowable errors") of eight to sixteen bits per token (a false positive rate of 6–12 %), small
 * enough to stay in the CPU cache. Most lookups made while merging are of pairs that are not
 * tokens; the filter answers about nine in ten of them without touching the table. It only saves
 * work, so it is built once lookups are many.
 */

/** Int32s per id record: word0, word1, length, start. */
export const META = 4;
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
 * Packs the first eight bytes of `bytes[start, end)` into `word0`/`word1` and returns its hash:
 * MurmurHash3's rounds over the length, the first eight bytes and, for longer strings, the last
 * eight, then its finalizer (the table is indexed by the low bits). A hash of constant cost:
 * merging a long piece looks up many long concatenations that are not tokens, and the few
 * tokens that share length, head and tail only lengthen a probe.
 */
export function digest(bytes: Uint8Array, start: number, end: number): number {
  const n = end - start;
  let w0 = 0;
  let w1 = 0;
  let h: number;
  if (n >= 8) {
    // Written out rather than called: this runs for every token while a file loads, before the
    // engine has optimised (and inlined) anything.
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
    h = round(round(n, w0), w1);
    if (n > 8) {
      const t0 =
        bytes[end - 8]! |
        (bytes[end - 7]! << 8) |
        (bytes[end - 6]! << 16) |
        (bytes[end - 5]! << 24);
      const t1 =
        bytes[end - 4]! |
        (bytes[end - 3]! << 8) |
        (bytes[end - 2]! << 16) |
        (bytes[end - 1]! << 24);
      h = round(round(h, t0), t1);
    }
  } else {
    for (let k = 0; k < n; k++) {
      if (k < 4) w0 |= bytes[start + k]! << (8 * k);
      else w1 |= bytes[start + k]! << (8 * (k - 4));
    }
    h = round(round(n, w0), w1);
  }
  word0 = w0;
  word1 = w1;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/**
 * The slot of `index` holding `bytes[s, e)` (its id + 1 in slot[0]), or the empty slot where it
 * goes, searching from slot `home`; `word0`/`word1` hold the bytes' words (see {@link digest}).
 * Bytes past the eighth are compared in `pool`, at the offset the id's record gives.
 */
export function probe(
  index: Int32Array,
  mask: number,
  meta: Int32Array,
  pool: Uint8Array,
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
      let i = meta[(found - 1) * META + 3]! + 8;
      let j = s + 8;
      while (j < e && pool[i] === bytes[j]) {
        i++;
        j++;
      }
      if (j === e) return at;
    }
  }
}

/** The log2 of the filter's size in bits for `count` tokens: eight to sixteen bits per token. */
export function filterBitsFor(count: number): number {
  let bits = 5;
  while (2 ** bits < count * 8) bits++;
  return bits;
}

/** The bit of the filter for hash `h` (filters have 2^`bits` bits, `bits` ≥ 5). */
export function filterBit(h: number, bits: number): number {
  return Math.imul(h, 0x9e3779b1) >>> (32 - bits);
}

/**
 * The filter of 2^`bits` bits over the tokens of the records. It digests every token, so the
 * words a caller's own `digest` left are gone afterwards.
 */
export function buildFilter(meta: Int32Array, pool: Uint8Array, bits: number): Int32Array {
  const filter = new Int32Array(2 ** (bits - 5));
  for (let r = 0; r < meta.length; r += META) {
    const n = meta[r + 2]!;
    if (n === 0) continue;
    const s = meta[r + 3]!;
    const bit = filterBit(digest(pool, s, s + n), bits);
    filter[bit >>> 5]! |= 1 << (bit & 31);
  }
  return filter;
}

/** The bytes → id index. */
export interface ByteIndex {
  readonly index: Int32Array;
  readonly mask: number;
  /** Bytes in the longest token. */
  readonly longest: number;
}

/** Where {@link buildIndex} found two ids with the same bytes (the lower one first). */
export interface Duplicate {
  readonly first: number;
  readonly second: number;
}

/**
 * Fills the words of every record from `pool` and builds the index (capacity a power of two, at
 * least twice `count`), inserting in id order.
 */
export function buildIndex(
  meta: Int32Array,
  pool: Uint8Array,
  size: number,
  count: number,
): ByteIndex | Duplicate {
  let capacity = 16;
  while (capacity < count * 2) capacity *= 2;
  const mask = capacity - 1;
  const index = new Int32Array(capacity * SLOT);
  let longest = 0;
  for (let id = 0; id < size; id++) {
    const r = id * META;
    const n = meta[r + 2]!;
    if (n === 0) continue;
    if (n > longest) longest = n;
    const s = meta[r + 3]!;
    const at = probe(index, mask, meta, pool, pool, s, s + n, digest(pool, s, s + n) & mask);
    if (index[at] !== 0) return { first: index[at]! - 1, second: id };
    index[at] = id + 1;
    index[at + 1] = n;
    index[at + 2] = meta[r] = word0;
    index[at + 3] = meta[r + 1] = word1;
  }
  return { index, mask, longest };
}
