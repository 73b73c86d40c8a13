/**
 * The KV cache of an `OnnxTransformer`: per layer, keys and values [B, K, S, d] in plain arrays
 * that each run reads in place (ONNX Runtime takes typed arrays without copying them) and that
 * the new keys and values are written into after it (`write`), one slot per row for a decoding
 * step. S, the slots the arrays hold, grows by blocks of {@link CACHE_BLOCK} up to the context
 * length, as the attention kernel clears and fills a working copy of S slots per run.
 */
import type { OnnxArray, OnnxBoundRun } from '@llmkit/tensor-gpu/onnx';
import type { ResolvedTransformerConfig } from '../config.js';
import type { DecoderCache } from '../generate.js';
import { KvCache } from '../kvCache.js';

/** Slots the cache arrays grow by. */
export const CACHE_BLOCK = 32;

/** Arrays of one bound decoding step (one token per row), reused from step to step. @internal */
export interface DecodeStep {
  /** The session the step runs in (a cache may move between models of one config). */
  readonly session: object;
  readonly ids: BigInt64Array;
  readonly positions: BigInt64Array;
  readonly cos: Float32Array;
  readonly sin: Float32Array;
  readonly seqlens: Int32Array;
  readonly logits: Float32Array;
  /** The step's new keys and values by output name (`key_i`, `value_i`), [B, 1, K·d]. */
  readonly fresh: Record<string, OnnxArray>;
  readonly run: OnnxBoundRun;
}

/**
 * The KV cache of an {@link OnnxTransformer}; at the full context it holds 2·L·B·K·context·d
 * floats, like the tfjs cache.
 * @public
 */
export class OnnxKvCache implements DecoderCache {
  /** Positions, padding and length bookkeeping (shared with the tfjs cache). */
  readonly slots: KvCache;
  /** The bound decoding step; dropped when the arrays grow or the cache changes otherwise. @internal */
  step: DecodeStep | undefined;
  private readonly config: ResolvedTransformerConfig;
  private held = 0;
  private arrays: Float32Array[] = [];

  constructor(config: ResolvedTransformerConfig, batchSize: number) {
    this.config = config;
    this.slots = new KvCache(0, batchSize, config.contextLength);
  }

  get length(): number {
    return this.slots.length;
  }

  /** Slots per row the arrays hold now. */
  get capacity(): number {
    return this.held;
  }

  /** The arrays by input name (`past_key_i`, `past_value_i`), [B, K, capacity, d] each. */
  get past(): Record<string, OnnxArray> {
    const { kvHeads, headDim } = this.config;
    const dims = [this.slots.batchSize, kvHeads, this.held, headDim];
    const out: Record<string, OnnxArray> = {};
    for (const [n, data] of this.arrays.entries())
      out[`past_${n % 2 === 0 ? 'key' : 'value'}_${n >> 1}`] = { dataType: 'float32', dims, data };
    return out;
  }

  /** Grows the arrays (keeping what is filled) so that they hold `slots` positions per row. @internal */
  reserve(slots: number): void {
    if (slots <= this.held) return;
    const { layers, kvHeads, headDim, contextLength } = this.config;
    const capacity = Math.min(contextLength, Math.ceil(slots / CACHE_BLOCK) * CACHE_BLOCK);
    const rows = this.slots.batchSize * kvHeads;
    const filled = this.slots.length * headDim;
    this.arrays = Array.from({ length: 2 * layers }, (_, n) => {
      const grown = new Float32Array(rows * capacity * headDim);
      const old = this.arrays[n];
      if (old !== undefined) {
        for (let r = 0; r < rows; r++) {
          const from = r * this.held * headDim;
          grown.set(old.subarray(from, from + filled), r * capacity * headDim);
        }
      }
      return grown;
    });
    this.held = capacity;
    this.step = undefined;
  }

  /**
   * Writes a run's new keys and values (`key_i`, `value_i`, [B, T, K·d]) into the slots after
   * the filled ones; `slots.commit` records them afterwards. @internal
   */
  write(fresh: Readonly<Record<string, OnnxArray>>, length: number): void {
    const { layers, kvHeads, headDim } = this.config;
    const batch = this.slots.batchSize;
    const past = this.slots.length;
    for (let n = 0; n < 2 * layers; n++) {
      const source = fresh[`${n % 2 === 0 ? 'key' : 'value'}_${n >> 1}`]!.data as Float32Array;
      const target = this.arrays[n]!;
      for (let b = 0; b < batch; b++)
        for (let t = 0; t < length; t++)
          for (let h = 0; h < kvHeads; h++) {
            const from = ((b * length + t) * kvHeads + h) * headDim;
            const to = ((b * kvHeads + h) * this.held + past + t) * headDim;
            target.set(source.subarray(from, from + headDim), to);
          }
    }
  }

  /** Empties the cache (its arrays are kept and overwritten as it fills again). */
  dispose(): void {
    this.slots.dispose();
    this.step = undefined;
  }
}
