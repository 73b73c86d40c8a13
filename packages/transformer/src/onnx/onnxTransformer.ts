/**
 * The model running in ONNX Runtime (onnxruntime-node, through `@llmkit/tensor-gpu/onnx`):
 * the graph of {@link exportOnnx}, fed with positions, RoPE tables and the attention mask
 * computed here as the tfjs model computes them, and a KV cache held as plain arrays that each
 * step's `present_*` outputs replace. It implements {@link Decoder}, so `generate` and
 * `generateBatch` run on it unchanged — the fast path for sampling.
 */
import { type OnnxArray, OnnxSession } from '@llmkit/tensor-gpu/onnx';
import type { ResolvedTransformerConfig } from '../config.js';
import { TransformerError } from '../errors.js';
import type { Decoder, DecoderCache } from '../generate.js';
import { attentionBiasValues } from '../internal/attention.js';
import { check } from '../internal/check.js';
import { RopeTables } from '../internal/rope.js';
import { checkPaddingMask, checkTokens } from '../internal/tokens.js';
import { KvCache, planChunk } from '../kvCache.js';
import type { Transformer } from '../transformer.js';
import { exportOnnx } from './exportOnnx.js';

/** Options of {@link OnnxTransformer.create}. @public */
export interface OnnxTransformerOptions {
  /** ONNX Runtime intra-op threads. @defaultValue 1 */
  readonly threads?: number;
}

/** The KV cache of an {@link OnnxTransformer}: `present_*` arrays of the last run. @public */
export class OnnxKvCache implements DecoderCache {
  /** Positions, padding and length bookkeeping (shared with the tfjs cache). */
  readonly slots: KvCache;
  /** `past_key_i`, `past_value_i` feeds for the next run. */
  past: Record<string, OnnxArray>;

  constructor(config: ResolvedTransformerConfig, batchSize: number) {
    this.slots = new KvCache(0, batchSize, config.contextLength);
    this.past = {};
    for (let i = 0; i < config.layers; i++) {
      for (const kind of ['key', 'value']) {
        this.past[`past_${kind}_${i}`] = {
          dataType: 'float32',
          dims: [batchSize, config.kvHeads, 0, config.headDim],
          data: new Float32Array(0),
        };
      }
    }
  }

  get length(): number {
    return this.slots.length;
  }

  dispose(): void {
    this.slots.dispose();
    for (const [name, array] of Object.entries(this.past))
      this.past[name] = {
        ...array,
        dims: [array.dims[0]!, array.dims[1]!, 0, array.dims[3]!],
        data: new Float32Array(0),
      };
  }
}

/**
 * A {@link Transformer} exported to ONNX and loaded in ONNX Runtime.
 * @example
 * ```ts
 * const fast = OnnxTransformer.create(model, { threads: 1 });
 * for await (const token of generate(fast, prompt, { maxNewTokens: 100, seed: 1 })) out.push(token);
 * fast.dispose();
 * ```
 * @public
 */
export class OnnxTransformer implements Decoder<OnnxKvCache> {
  readonly config: ResolvedTransformerConfig;
  private readonly session: OnnxSession;
  private readonly rope: RopeTables | undefined;

  private constructor(config: ResolvedTransformerConfig, session: OnnxSession) {
    this.config = config;
    this.session = session;
    const { positions, headDim, ropeBase, contextLength } = config;
    this.rope = positions === 'rope' ? new RopeTables(headDim, ropeBase, contextLength) : undefined;
  }

  /** Exports `model` (its current weights) and loads the graph in ONNX Runtime. */
  static create(model: Transformer, options: OnnxTransformerOptions = {}): OnnxTransformer {
    const threads = check.integer(
      'OnnxTransformer.create',
      'options.threads',
      options.threads ?? 1,
      { min: 1 },
    );
    return new OnnxTransformer(model.config, OnnxSession.create(exportOnnx(model), { threads }));
  }

  createCache(batchSize = 1): OnnxKvCache {
    check.integer('OnnxTransformer.createCache', 'batchSize', batchSize, { min: 1 });
    return new OnnxKvCache(this.config, batchSize);
  }

  /**
   * Logits [B, T, V] of `tokens` after what `cache` holds (appending to it), as the tfjs
   * model's `forward` computes them.
   */
  forward(
    tokens: readonly (readonly number[])[],
    options: { readonly cache?: OnnxKvCache; readonly paddingMask?: Uint8Array } = {},
  ): OnnxArray {
    const fn = 'OnnxTransformer.forward';
    const { ids, batch, length } = checkTokens(fn, 'tokens', tokens, this.config.vocabSize);
    const cache = options.cache ?? this.createCache(batch);
    if (cache.slots.batchSize !== batch) {
      throw new TransformerError({
        code: 'SHAPE_MISMATCH',
        fn,
        argument: 'options.cache',
        detail: `the cache holds ${cache.slots.batchSize} rows and the tokens have ${batch}.`,
      });
    }
    const past = cache.length;
    if (past + length > this.config.contextLength) {
      throw new TransformerError({
        code: 'INVALID_ARGUMENT',
        fn,
        argument: 'tokens',
        detail: `${past} cached + ${length} tokens exceed the context length ${this.config.contextLength}.`,
      });
    }
    const chunkMask = checkPaddingMask(fn, options.paddingMask, batch * length);
    const { positions, next, keyMask } = planChunk(cache.slots, chunkMask, batch, length);
    const { heads, kvHeads } = this.config;
    const groups = heads / kvHeads;
    const bias = attentionBiasValues(batch, length, past, groups, keyMask) ?? {
      values: new Float32Array(groups * (past + length)),
      shape: [1, 1, groups, past + length],
    };
    const feeds: Record<string, OnnxArray> = {
      input_ids: {
        dataType: 'int64',
        dims: [batch, length],
        data: BigInt64Array.from(ids, BigInt),
      },
      attention_bias: { dataType: 'float32', dims: bias.shape, data: bias.values },
      ...cache.past,
    };
    if (this.rope === undefined) {
      feeds.position_ids = {
        dataType: 'int64',
        dims: [batch, length],
        data: BigInt64Array.from(positions, BigInt),
      };
    } else {
      const { cos, sin } = this.rope.values(positions);
      const dims = [batch, 1, length, this.config.headDim];
      feeds.rope_cos = { dataType: 'float32', dims, data: cos };
      feeds.rope_sin = { dataType: 'float32', dims, data: sin };
    }
    const results = this.session.run(feeds);
    for (const name of Object.keys(cache.past))
      cache.past[name] = results[name.replace('past_', 'present_')]!;
    cache.slots.commit([], chunkMask, length, next);
    return results.logits!;
  }

  nextLogits(tokens: number[][], cache: OnnxKvCache, paddingMask?: Uint8Array): Float32Array {
    const logits = this.forward(tokens, { cache, ...(paddingMask ? { paddingMask } : {}) });
    const [batch, length, v] = logits.dims as [number, number, number];
    const data = logits.data as Float32Array;
    if (length === 1) return data;
    const out = new Float32Array(batch * v);
    for (let b = 0; b < batch; b++)
      out.set(data.subarray((b * length + length - 1) * v, (b * length + length) * v), b * v);
    return out;
  }

  /** Frees the ONNX Runtime session. */
  dispose(): void {
    this.session.dispose();
  }
}
