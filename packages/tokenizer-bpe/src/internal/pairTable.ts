/**
 * An open-addressing hash table from an adjacent pair of token ids `(a, b)` to the merge it
 * makes: the merged token's id and the merge's rank (lower merges first). Filled once from an
 * explicit merge list (Hugging Face files, a trained model); tiktoken ranks need no table, since
 * there the concatenated bytes are looked up directly.
 */

const EMPTY = -2;
/** Returned by {@link PairTable.get} when the pair does not merge. */
export const NO_MERGE = -1;

function slotOf(a: number, b: number, mask: number): number {
  return (Math.imul(a, 0x9e3779b1) ^ Math.imul(b + 0x7f4a7c15, 0x85ebca6b)) & mask;
}

export class PairTable {
  readonly #a: Int32Array;
  readonly #b: Int32Array;
  readonly #merged: Int32Array;
  readonly #rank: Int32Array;
  readonly #mask: number;
  #lastRank = 0;

  /** A table for `size` merges. */
  constructor(size: number) {
    let capacity = 16;
    while (capacity < size * 2) capacity *= 2;
    this.#a = new Int32Array(capacity);
    this.#b = new Int32Array(capacity);
    this.#merged = new Int32Array(capacity).fill(EMPTY);
    this.#rank = new Int32Array(capacity);
    this.#mask = capacity - 1;
  }

  /** The merged id of `(a, b)`, or {@link NO_MERGE}; its rank is then {@link lastRank}. */
  get(a: number, b: number): number {
    const mask = this.#mask;
    for (let slot = slotOf(a, b, mask); ; slot = (slot + 1) & mask) {
      const m = this.#merged[slot]!;
      if (m === EMPTY) return NO_MERGE;
      if (this.#a[slot] === a && this.#b[slot] === b) {
        this.#lastRank = this.#rank[slot]!;
        return m;
      }
    }
  }

  /** The rank of the pair found by the last successful {@link get}. */
  get lastRank(): number {
    return this.#lastRank;
  }

  /** Records that `(a, b)` merges into `merged` with `rank`, unless the pair is already known. */
  add(a: number, b: number, merged: number, rank: number): void {
    const mask = this.#mask;
    for (let slot = slotOf(a, b, mask); ; slot = (slot + 1) & mask) {
      if (this.#merged[slot] === EMPTY) {
        this.#a[slot] = a;
        this.#b[slot] = b;
        this.#merged[slot] = merged;
        this.#rank[slot] = rank;
        return;
      }
      if (this.#a[slot] === a && this.#b[slot] === b) return;
    }
  }
}
