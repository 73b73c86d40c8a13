/**
 * Byte-level BPE training on a table of words and their counts, with incremental pair counts:
 * the corpus is never recounted. Each merge visits only the words that hold the merged pair
 * (from the pair's occurrence list), rewrites them, and adjusts the counts of the pairs around
 * each rewritten spot; a lazy max-heap yields the next most frequent pair.
 *
 * The rules are those of Hugging Face's `BpeTrainer` (`tokenizers/src/models/bpe/trainer.rs`,
 * `word.rs`), so that both train the same merges:
 * - Within a word, a pair merges left to right without overlap (`aaa` → `aa a`).
 * - The most frequent pair merges first. Ties go to the pair whose left token ranks first, then
 *   whose right token ranks first. Merged tokens rank after all bytes, in the order they were
 *   made; the 256 bytes rank in the order of GPT-2's byte-to-character table (the printable
 *   bytes `!`…`~`, `¡`…`¬`, `®`…`ÿ`, then the other 68 in byte order), because Hugging Face
 *   numbers its initial alphabet by those characters.
 * - A merge whose bytes are already a token would add the merge and reuse that token's id, as
 *   Hugging Face's trainer does. With every merge applied to every word, left to right, this
 *   does not arise in byte-level training (tests check one new token per merge); the guard
 *   keeps the vocabulary free of duplicate byte strings regardless.
 *
 * The educational twin in `test/naiveTrainer.ts` recounts everything at every merge under the
 * same rules; tests require both to produce the same merges.
 */
import { BYTE_TO_CHAR } from './byteLevel.js';
import { PairHeap } from './pairHeap.js';
import { PairIndex } from './pairIndex.js';

/** Merged tokens may number below this (the tie key packs two ranks into a float64). */
export const MAX_TRAINED_TOKENS: number = 2 ** 24;

/** Rank of each byte for tie-breaking: its position in GPT-2's byte-level alphabet. */
const BYTE_RANK: Int32Array = (() => {
  const order = Array.from({ length: 256 }, (_, b) => b).sort(
    (x, y) => BYTE_TO_CHAR[x]! - BYTE_TO_CHAR[y]!,
  );
  const rank = new Int32Array(256);
  order.forEach((b, i) => {
    rank[b] = i;
  });
  return rank;
})();

function rankOf(id: number): number {
  return id < 256 ? BYTE_RANK[id]! : id;
}

function tieOf(a: number, b: number): number {
  return rankOf(a) * MAX_TRAINED_TOKENS + rankOf(b);
}

const textEncoder = new TextEncoder();

export class MergeTrainer {
  /** The bytes of each token by id: the 256 single bytes (id = byte value), then merged tokens. */
  readonly tokens: Uint8Array[] = [];
  /** The merges in the order made, as `[leftId, rightId]`. */
  readonly merges: [number, number][] = [];
  /** Number of distinct words with two or more bytes (the only ones that hold pairs). */
  readonly wordCount: number;
  readonly #keys: string[] = [];
  readonly #ids = new Map<string, number>();
  readonly #sym: Int32Array;
  readonly #start: Int32Array;
  readonly #len: Int32Array;
  readonly #weight: Float64Array;
  readonly #stamp: Int32Array;
  readonly #pairs: PairIndex;
  readonly #heap: PairHeap;
  readonly #touched: number[] = [];
  #step = 0;

  /** @param words - each distinct word (a pre-token, well-formed text) and its count (> 0) */
  constructor(words: Iterable<readonly [string, number]>) {
    for (let b = 0; b < 256; b++) this.#register(Uint8Array.of(b), String.fromCharCode(b));
    // Pack the UTF-8 bytes of every word of two or more bytes into one array of symbols.
    let bytes = new Uint8Array(1 << 16);
    let used = 0;
    const lengths: number[] = [];
    const weights: number[] = [];
    for (const [word, count] of words) {
      if (bytes.length - used < word.length * 3) {
        const grown = new Uint8Array(Math.max(bytes.length * 2, used + word.length * 3));
        grown.set(bytes.subarray(0, used));
        bytes = grown;
      }
      const n = textEncoder.encodeInto(word, bytes.subarray(used)).written;
      if (n < 2 || !(count > 0)) continue;
      used += n;
      lengths.push(n);
      weights.push(count);
    }
    const n = lengths.length;
    this.wordCount = n;
    this.#sym = Int32Array.from(bytes.subarray(0, used));
    this.#start = new Int32Array(n);
    this.#len = Int32Array.from(lengths);
    this.#weight = Float64Array.from(weights);
    this.#stamp = new Int32Array(n);
    for (let w = 1; w < n; w++) this.#start[w] = this.#start[w - 1]! + lengths[w - 1]!;

    const pairs = new PairIndex(Math.min(used, 1 << 16));
    const sym = this.#sym;
    for (let w = 0; w < n; w++) {
      const s = this.#start[w]!;
      const end = s + lengths[w]!;
      const weight = weights[w]!;
      for (let i = s + 1; i < end; i++) {
        const p = pairs.findOrAdd(sym[i - 1]!, sym[i]!);
        pairs.count[p] = pairs.count[p]! + weight;
        pairs.addOccurrence(p, w);
      }
    }
    this.#pairs = pairs;
    this.#heap = new PairHeap(pairs.size * 2);
    for (let p = 0; p < pairs.size; p++) {
      this.#heap.append(p, pairs.count[p]!, tieOf(pairs.left[p]!, pairs.right[p]!));
    }
    this.#heap.heapify();
  }

  /**
   * Makes the best merge if its pair occurs at least `minCount` times (and at least once).
   * @returns `false`, changing nothing, when no pair qualifies
   */
  mergeBest(minCount: number): boolean {
    const heap = this.#heap;
    const pairs = this.#pairs;
    while (heap.size > 0) {
      const p = heap.topPair;
      const recorded = heap.topCount;
      const count = pairs.count[p]!;
      if (recorded !== count) {
        // Stale: re-queue with the current count, or drop a pair that no longer occurs.
        heap.pop();
        if (count > 0) heap.push(p, count, tieOf(pairs.left[p]!, pairs.right[p]!));
        continue;
      }
      if (count < minCount || !(count > 0)) return false;
      heap.pop();
      this.#merge(p);
      return true;
    }
    return false;
  }

  #register(bytes: Uint8Array, key: string): number {
    const id = this.tokens.length;
    this.tokens.push(bytes);
    this.#keys.push(key);
    this.#ids.set(key, id);
    return id;
  }

  #merge(p: number): void {
    const pairs = this.#pairs;
    const a = pairs.left[p]!;
    const b = pairs.right[p]!;
    const key = this.#keys[a]! + this.#keys[b]!;
    let id = this.#ids.get(key);
    if (id === undefined) {
      const left = this.tokens[a]!;
      const bytes = new Uint8Array(left.length + this.tokens[b]!.length);
      bytes.set(left);
      bytes.set(this.tokens[b]!, left.length);
      id = this.#register(bytes, key);
    }
    this.merges.push([a, b]);
    const step = ++this.#step;
    for (let o = pairs.head[p]!; o >= 0; o = pairs.occNext[o]!) {
      const w = pairs.occWord[o]!;
      if (this.#stamp[w] === step) continue;
      this.#stamp[w] = step;
      this.#mergeWord(w, a, b, id);
    }
    // The merged pair is gone for good: no later merge can make `(a, b)` again, since neither
    // side is new.
    pairs.count[p] = Number.NEGATIVE_INFINITY;
    const heap = this.#heap;
    for (const q of this.#touched) {
      const count = pairs.count[q]!;
      if (count > 0) heap.push(q, count, tieOf(pairs.left[q]!, pairs.right[q]!));
    }
    this.#touched.length = 0;
  }

  /** Rewrites `a b` → `id` in word `w`, left to right, and updates the neighbouring pairs. */
  #mergeWord(w: number, a: number, b: number, id: number): void {
    const sym = this.#sym;
    const s = this.#start[w]!;
    const end = s + this.#len[w]!;
    const weight = this.#weight[w]!;
    let r = s;
    let o = s;
    while (r < end) {
      const x = sym[r]!;
      if (x === a && r + 1 < end && sym[r + 1] === b) {
        if (o > s) {
          const prev = sym[o - 1]!;
          this.#remove(prev, a, weight);
          this.#add(prev, id, weight, w);
        }
        sym[o++] = id;
        r += 2;
        if (r < end) {
          const next = sym[r]!;
          this.#remove(b, next, weight);
          this.#add(id, next, weight, w);
        }
      } else {
        sym[o++] = x;
        r++;
      }
    }
    this.#len[w] = o - s;
  }

  #remove(a: number, b: number, weight: number): void {
    const p = this.#pairs.find(a, b);
    if (p >= 0) this.#pairs.count[p] = this.#pairs.count[p]! - weight;
  }

  #add(a: number, b: number, weight: number, w: number): void {
    const pairs = this.#pairs;
    const p = pairs.findOrAdd(a, b);
    pairs.count[p] = pairs.count[p]! + weight;
    pairs.addOccurrence(p, w);
    // A count that rose needs a fresh heap entry (its old one, if any, understates it).
    if (pairs.queued[p] !== this.#step) {
      pairs.queued[p] = this.#step;
      this.#touched.push(p);
    }
  }
}
