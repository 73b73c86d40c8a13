/**
 * The trainer's priority queue: a binary max-heap of `(pair, count, tie)` entries, ordered by
 * count (largest first), then by `tie` (smallest first). Entries are not updated in place: when a
 * pair's count drops, its entry goes stale and the trainer re-pushes it with the current count
 * when it reaches the top (lazy deletion, as Hugging Face's `BpeTrainer` does with its
 * `BinaryHeap<Merge>`). The trainer pushes a fresh entry whenever a pair's count rises, so every
 * pair's newest entry never understates it, and a stale entry surfaces no later than the pair's
 * true position.
 */

export class PairHeap {
  #pairs: Int32Array;
  #counts: Float64Array;
  #ties: Float64Array;
  #size = 0;

  constructor(capacity: number) {
    const n = Math.max(16, capacity);
    this.#pairs = new Int32Array(n);
    this.#counts = new Float64Array(n);
    this.#ties = new Float64Array(n);
  }

  get size(): number {
    return this.#size;
  }

  /** The pair of the top entry (the heap must not be empty). */
  get topPair(): number {
    return this.#pairs[0]!;
  }

  /** The count recorded in the top entry. */
  get topCount(): number {
    return this.#counts[0]!;
  }

  /** Adds an entry without restoring heap order; call {@link PairHeap.heapify} after a batch. */
  append(pair: number, count: number, tie: number): void {
    if (this.#size === this.#pairs.length) this.#grow();
    const i = this.#size++;
    this.#pairs[i] = pair;
    this.#counts[i] = count;
    this.#ties[i] = tie;
  }

  /** Restores heap order over all entries in O(n). */
  heapify(): void {
    for (let i = (this.#size >> 1) - 1; i >= 0; i--) this.#siftDown(i);
  }

  push(pair: number, count: number, tie: number): void {
    this.append(pair, count, tie);
    this.#siftUp(this.#size - 1);
  }

  /** Removes the top entry. */
  pop(): void {
    const last = --this.#size;
    if (last === 0) return;
    this.#pairs[0] = this.#pairs[last]!;
    this.#counts[0] = this.#counts[last]!;
    this.#ties[0] = this.#ties[last]!;
    this.#siftDown(0);
  }

  /** Whether entry `i` comes before entry `j`. */
  #before(i: number, j: number): boolean {
    const ci = this.#counts[i]!;
    const cj = this.#counts[j]!;
    return ci > cj || (ci === cj && this.#ties[i]! < this.#ties[j]!);
  }

  #swap(i: number, j: number): void {
    const p = this.#pairs[i]!;
    const c = this.#counts[i]!;
    const t = this.#ties[i]!;
    this.#pairs[i] = this.#pairs[j]!;
    this.#counts[i] = this.#counts[j]!;
    this.#ties[i] = this.#ties[j]!;
    this.#pairs[j] = p;
    this.#counts[j] = c;
    this.#ties[j] = t;
  }

  #siftUp(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#before(i, parent)) return;
      this.#swap(i, parent);
      i = parent;
    }
  }

  #siftDown(i: number): void {
    const n = this.#size;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) return;
      const r = l + 1;
      const child = r < n && this.#before(r, l) ? r : l;
      if (!this.#before(child, i)) return;
      this.#swap(i, child);
      i = child;
    }
  }

  #grow(): void {
    const n = this.#pairs.length * 2;
    const pairs = new Int32Array(n);
    const counts = new Float64Array(n);
    const ties = new Float64Array(n);
    pairs.set(this.#pairs);
    counts.set(this.#counts);
    ties.set(this.#ties);
    this.#pairs = pairs;
    this.#counts = counts;
    this.#ties = ties;
  }
}
