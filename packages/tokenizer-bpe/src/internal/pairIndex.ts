/**
 * The pairs of adjacent token ids in a training corpus: for each pair its count (summed over the
 * words it occurs in, weighted by how often each word occurs) and the list of words it occurs in.
 * This is the `pair_counts` and `where_to_update` of Hugging Face's `BpeTrainer`
 * (`tokenizers/src/models/bpe/trainer.rs`), flattened into typed arrays: an open-addressing hash
 * from `(left, right)` to a pair index, and one pool of singly linked occurrence nodes.
 *
 * Occurrence lists only grow: a word that no longer holds a pair stays listed, and the merge
 * step skips it after finding nothing to merge. A word is listed at most once per step that adds
 * the pair to it.
 */

const EMPTY = -1;

function grownInt32(a: Int32Array, min: number): Int32Array {
  const next = new Int32Array(Math.max(min, a.length * 2));
  next.set(a);
  return next;
}

function grownFloat64(a: Float64Array, min: number): Float64Array {
  const next = new Float64Array(Math.max(min, a.length * 2));
  next.set(a);
  return next;
}

/** Mixes two 32-bit ids into a hash (multipliers from MurmurHash3's finalizer). */
function hashPair(a: number, b: number): number {
  let h = Math.imul(a, 0x9e3779b1) ^ Math.imul(b, 0x85ebca6b);
  h ^= h >>> 15;
  return Math.imul(h, 0xc2b2ae35) ^ (h >>> 13);
}

export class PairIndex {
  /** Number of pairs. */
  size = 0;
  /** Left id of each pair. */
  left: Int32Array;
  /** Right id of each pair. */
  right: Int32Array;
  /** Weighted count of each pair (float64: exact integers up to 2^53). */
  count: Float64Array;
  /** First occurrence node of each pair, or -1. */
  head: Int32Array;
  /** The word most recently listed for each pair (to list a word once per step). */
  lastWord: Int32Array;
  /** For the trainer: the last merge step that queued the pair (0 for none). */
  queued: Int32Array;
  /** Occurrence nodes: the word, and the next node of the same pair (or -1). */
  occWord: Int32Array;
  occNext: Int32Array;
  occSize = 0;
  #slots: Int32Array;
  #mask: number;

  constructor(expectedPairs: number) {
    const n = Math.max(16, expectedPairs);
    this.left = new Int32Array(n);
    this.right = new Int32Array(n);
    this.count = new Float64Array(n);
    this.head = new Int32Array(n);
    this.lastWord = new Int32Array(n);
    this.queued = new Int32Array(n);
    this.occWord = new Int32Array(n * 4);
    this.occNext = new Int32Array(n * 4);
    let capacity = 32;
    while (capacity < n * 2) capacity *= 2;
    this.#slots = new Int32Array(capacity).fill(EMPTY);
    this.#mask = capacity - 1;
  }

  /** The index of pair `(a, b)`, or -1. */
  find(a: number, b: number): number {
    const slots = this.#slots;
    const mask = this.#mask;
    for (let s = hashPair(a, b) & mask; ; s = (s + 1) & mask) {
      const p = slots[s]!;
      if (p === EMPTY || (this.left[p] === a && this.right[p] === b)) return p;
    }
  }

  /** The index of pair `(a, b)`, added with count 0 and no occurrences when absent. */
  findOrAdd(a: number, b: number): number {
    const mask = this.#mask;
    let s = hashPair(a, b) & mask;
    for (; ; s = (s + 1) & mask) {
      const p = this.#slots[s]!;
      if (p === EMPTY) break;
      if (this.left[p] === a && this.right[p] === b) return p;
    }
    const p = this.size++;
    if (p === this.left.length) this.#growPairs();
    this.left[p] = a;
    this.right[p] = b;
    this.count[p] = 0;
    this.head[p] = EMPTY;
    this.lastWord[p] = EMPTY;
    this.queued[p] = 0;
    this.#slots[s] = p;
    if (this.size * 2 > this.#slots.length) this.#rehash();
    return p;
  }

  /** Lists word `w` for pair `p` unless it was the last word listed. */
  addOccurrence(p: number, w: number): void {
    if (this.lastWord[p] === w) return;
    this.lastWord[p] = w;
    const o = this.occSize++;
    if (o === this.occWord.length) {
      this.occWord = grownInt32(this.occWord, o + 1);
      this.occNext = grownInt32(this.occNext, o + 1);
    }
    this.occWord[o] = w;
    this.occNext[o] = this.head[p]!;
    this.head[p] = o;
  }

  #growPairs(): void {
    const min = this.size + 1;
    this.left = grownInt32(this.left, min);
    this.right = grownInt32(this.right, min);
    this.count = grownFloat64(this.count, min);
    this.head = grownInt32(this.head, min);
    this.lastWord = grownInt32(this.lastWord, min);
    this.queued = grownInt32(this.queued, min);
  }

  #rehash(): void {
    const slots = new Int32Array(this.#slots.length * 2).fill(EMPTY);
    const mask = slots.length - 1;
    for (let p = 0; p < this.size; p++) {
      let s = hashPair(this.left[p]!, this.right[p]!) & mask;
      while (slots[s] !== EMPTY) s = (s + 1) & mask;
      slots[s] = p;
    }
    this.#slots = slots;
    this.#mask = mask;
  }
}
