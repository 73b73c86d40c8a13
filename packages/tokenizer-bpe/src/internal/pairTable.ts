/**
 * An open-addressing hash table from an adjacent pair of token ids `(a, b)` to the merge it
 * makes: the merged token's id and the merge's rank (lower merges first).
 *
 * With explicit merges (Hugging Face files, a trained model) the table is filled once. With
 * tiktoken ranks, any two parts whose concatenated bytes form a token merge, with that token's
 * rank; the table then caches the lookups it has made (misses too), and is cleared when it
 * reaches its bound so memory stays flat on adversarial input.
 */

const EMPTY = -2;
/** Returned by {@link PairTable.get} when the pair is known not to merge. */
export const NO_MERGE = -1;
/** Returned by {@link PairTable.get} when the pair has not been looked up yet. */
export const UNKNOWN = -2;

function slotOf(a: number, b: number, mask: number): number {
  return (Math.imul(a, 0x9e3779b1) ^ Math.imul(b + 0x7f4a7c15, 0x85ebca6b)) & mask;
}

export class PairTable {
  #a: Int32Array;
  #b: Int32Array;
  #merged: Int32Array;
  #rank: Int32Array;
  #mask: number;
  #size = 0;
  readonly #maxSize: number;

  constructor(expected: number, maxSize: number) {
    let capacity = 1024;
    while (capacity < expected * 2) capacity *= 2;
    this.#a = new Int32Array(capacity);
    this.#b = new Int32Array(capacity);
    this.#merged = new Int32Array(capacity).fill(EMPTY);
    this.#rank = new Int32Array(capacity);
    this.#mask = capacity - 1;
    this.#maxSize = maxSize;
  }

  get size(): number {
    return this.#size;
  }

  /** The merged id of `(a, b)`, {@link NO_MERGE}, or {@link UNKNOWN}; its rank via {@link rankOf}. */
  get(a: number, b: number): number {
    const mask = this.#mask;
    for (let slot = slotOf(a, b, mask); ; slot = (slot + 1) & mask) {
      const m = this.#merged[slot]!;
      if (m === EMPTY) return UNKNOWN;
      if (this.#a[slot] === a && this.#b[slot] === b) {
        this.#lastRank = this.#rank[slot]!;
        return m;
      }
    }
  }

  #lastRank = 0;
  /** The rank of the pair found by the last successful {@link get}. */
  get lastRank(): number {
    return this.#lastRank;
  }

  /** Records that `(a, b)` merges into `merged` with `rank` (or `merged = NO_MERGE`). */
  set(a: number, b: number, merged: number, rank: number): void {
    if (this.#size * 2 >= this.#mask + 1) {
      if (this.#size >= this.#maxSize) this.#reset(this.#mask + 1);
      else this.#reset((this.#mask + 1) * 2, true);
    }
    const mask = this.#mask;
    for (let slot = slotOf(a, b, mask); ; slot = (slot + 1) & mask) {
      const m = this.#merged[slot]!;
      if (m === EMPTY) {
        this.#a[slot] = a;
        this.#b[slot] = b;
        this.#merged[slot] = merged;
        this.#rank[slot] = rank;
        this.#size++;
        return;
      }
      if (this.#a[slot] === a && this.#b[slot] === b) {
        this.#merged[slot] = merged;
        this.#rank[slot] = rank;
        return;
      }
    }
  }

  /** Every recorded merge, as `[a, b, merged, rank]`. */
  *entries(): IterableIterator<[number, number, number, number]> {
    for (let slot = 0; slot <= this.#mask; slot++) {
      const m = this.#merged[slot]!;
      if (m >= 0) yield [this.#a[slot]!, this.#b[slot]!, m, this.#rank[slot]!];
    }
  }

  #reset(capacity: number, keep = false): void {
    const [a, b, merged, rank] = [this.#a, this.#b, this.#merged, this.#rank];
    this.#a = new Int32Array(capacity);
    this.#b = new Int32Array(capacity);
    this.#merged = new Int32Array(capacity).fill(EMPTY);
    this.#rank = new Int32Array(capacity);
    this.#mask = capacity - 1;
    this.#size = 0;
    if (!keep) return;
    for (let slot = 0; slot < merged.length; slot++) {
      if (merged[slot] !== EMPTY) this.set(a[slot]!, b[slot]!, merged[slot]!, rank[slot]!);
    }
  }
}
