/**
 * The key/value cache of incremental decoding: per layer, the keys and values of every position
 * seen so far, so that each new token attends over them without recomputing them. Rows of a
 * batch may start with padding (left padding): the cache remembers which slots hold real tokens
 * and each row's next position, so a padded row decodes exactly as it would alone.
 *
 * The engine's tensors are immutable, so appending concatenates: decoding n tokens copies
 * O(n²) cached values in total, which is small next to the matrix products at the context
 * lengths these models run on a CPU.
 */
import { dispose, keep, type Tensor } from '@llmkit/tensor-gpu';

/** Cached keys and values of one layer, [B, K, S, d] each. @public */
export interface LayerCache {
  readonly keys: Tensor;
  readonly values: Tensor;
}

/**
 * A KV cache for one model and batch. Create it with `model.createCache(batchSize)`, pass it
 * to `model.forward(ids, { cache })` repeatedly, and `dispose()` it when done.
 * @public
 */
export class KvCache {
  /** Rows in the batch. */
  readonly batchSize: number;
  /** Slots per row the model can attend over (its context length). */
  readonly capacity: number;
  private layers: (LayerCache | undefined)[];
  private slots = 0;
  private mask: Uint8Array;
  private readonly next: Int32Array;
  private padded = false;

  constructor(layers: number, batchSize: number, capacity: number) {
    this.batchSize = batchSize;
    this.capacity = capacity;
    this.layers = new Array(layers).fill(undefined);
    this.mask = new Uint8Array(batchSize * capacity);
    this.next = new Int32Array(batchSize);
  }

  /** Slots filled per row, padding included. */
  get length(): number {
    return this.slots;
  }

  /** Whether any slot holds padding. */
  get hasPadding(): boolean {
    return this.padded;
  }

  /** The next position id of each row (real tokens seen so far). */
  get positions(): Int32Array {
    return this.next.slice();
  }

  /** The cached tensors of layer `i` (undefined before the first forward). */
  layer(i: number): LayerCache | undefined {
    return this.layers[i];
  }

  /** Key mask [B, S] over the slots filled so far followed by `chunk` [B, T] (1 = real token). */
  keyMask(chunk: Uint8Array, length: number): Uint8Array {
    const s = this.slots + length;
    const out = new Uint8Array(this.batchSize * s);
    for (let b = 0; b < this.batchSize; b++) {
      out.set(this.mask.subarray(b * this.capacity, b * this.capacity + this.slots), b * s);
      out.set(chunk.subarray(b * length, (b + 1) * length), b * s + this.slots);
    }
    return out;
  }

  /**
   * Records a forward pass over `length` new slots: the layers' new keys and values (kept past
   * the caller's scope), the chunk's mask and the rows' next positions. Called by the model
   * after the whole pass succeeded, so a failed pass leaves the cache as it was.
   * @internal
   */
  commit(layers: readonly LayerCache[], chunk: Uint8Array, length: number, next: Int32Array): void {
    for (let i = 0; i < layers.length; i++) {
      const old = this.layers[i];
      const fresh = layers[i]!;
      this.layers[i] = { keys: keep(fresh.keys), values: keep(fresh.values) };
      if (old !== undefined) dispose([old.keys, old.values]);
    }
    for (let b = 0; b < this.batchSize; b++) {
      const row = chunk.subarray(b * length, (b + 1) * length);
      this.mask.set(row, b * this.capacity + this.slots);
      if (row.includes(0)) this.padded = true;
    }
    this.next.set(next);
    this.slots += length;
  }

  /** Frees the cached tensors; the cache is empty afterwards and can be reused. */
  dispose(): void {
    for (const layer of this.layers) if (layer !== undefined) dispose([layer.keys, layer.values]);
    this.layers = this.layers.map(() => undefined);
    this.slots = 0;
    this.mask.fill(0);
    this.next.fill(0);
    this.padded = false;
  }
}

/** Where a chunk of tokens sits: positions, the rows' next positions, the key mask (if any padding). @internal */
export interface ChunkPlan {
  /** Position id of each token [B·T] (padding: 0). */
  readonly positions: Int32Array;
  /** Each row's next position after the chunk. */
  readonly next: Int32Array;
  /** Key mask [B, past + T] when some slot is padding, else undefined. */
  readonly keyMask: Uint8Array | undefined;
}

/**
 * Places a chunk of T tokens per row after what `cache` holds: real tokens count positions
 * from each row's first real token (Hugging Face's `cumsum(attention_mask) − 1`).
 * @internal
 */
export function planChunk(
  cache: KvCache | undefined,
  chunkMask: Uint8Array,
  batch: number,
  length: number,
): ChunkPlan {
  const next = cache?.positions ?? new Int32Array(batch);
  const positions = new Int32Array(batch * length);
  for (let i = 0; i < positions.length; i++) {
    const b = Math.floor(i / length);
    if (chunkMask[i] === 1) positions[i] = next[b]!++;
  }
  const padded = (cache?.hasPadding ?? false) || chunkMask.includes(0);
  const keyMask = !padded ? undefined : cache ? cache.keyMask(chunkMask, length) : chunkMask;
  return { positions, next, keyMask };
}
