/**
 * The model running in ONNX Runtime (onnxruntime-node, through `@llmkit/tensor-gpu/onnx`):
 * the graph of {@link exportOnnx}, fed with positions, RoPE tables and the attention mask
 * computed here as the tfjs model computes them, with the KV cache of {@link OnnxKvCache}, read
 * in place and extended by each run's new keys and values. A decoding step (one token per row)
 * runs bound: its feeds, outputs and the cache are wrapped once and only their contents change
 * from token to token.
 * It implements {@link Decoder}, so `generate` and `generateBatch` run on it unchanged — the
 * fast path for sampling.
 */
import { type OnnxArray, OnnxSession } from '@llmkit/tensor-gpu/onnx';
import type { ResolvedTransformerConfig } from '../config.js';
import { TransformerError } from '../errors.js';
import type { Decoder } from '../generate.js';
import { MASKED } from '../internal/attention.js';
import { check } from '../internal/check.js';
import { RopeTables } from '../internal/rope.js';
import { checkPaddingMask, checkTokens } from '../internal/tokens.js';
import { planChunk } from '../kvCache.js';
import type { Transformer } from '../transformer.js';
import { exportOnnx } from './exportOnnx.js';
import { type DecodeStep, OnnxKvCache } from './onnxKvCache.js';

/** Options of {@link OnnxTransformer.create}. @public */
export interface OnnxTransformerOptions {
  /** ONNX Runtime intra-op threads (1 runs on the calling thread). @defaultValue 1 */
  readonly threads?: number;
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
    return this.run('OnnxTransformer.forward', tokens, options.cache, options.paddingMask);
  }

  /**
   * Each row's last-position logits [B·V] after feeding `tokens`. For one token per row without
   * padding (a decoding step) the array is the cache's own and the next step overwrites it.
   */
  nextLogits(tokens: number[][], cache: OnnxKvCache, paddingMask?: Uint8Array): Float32Array {
    const fn = 'OnnxTransformer.nextLogits';
    if (
      tokens[0]?.length === 1 &&
      (paddingMask === undefined || !paddingMask.includes(0)) &&
      cache.length < this.config.contextLength
    )
      return this.decodeStep(fn, tokens, cache, paddingMask);
    const logits = this.run(fn, tokens, cache, paddingMask);
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

  /** One token per row through the bound step (bound again after the cache arrays grew). */
  private decodeStep(
    fn: string,
    tokens: number[][],
    cache: OnnxKvCache,
    paddingMask: Uint8Array | undefined,
  ): Float32Array {
    const { ids, batch } = this.checkRun(fn, tokens, cache, paddingMask);
    const past = cache.length;
    cache.reserve(past + 1);
    const step = cache.step?.session === this.session ? cache.step : this.bindStep(cache);
    cache.step = step;
    const next = cache.slots.positions;
    for (let b = 0; b < batch; b++) {
      step.ids[b] = BigInt(ids[b]!);
      step.positions[b] = BigInt(next[b]!);
    }
    if (this.rope !== undefined) {
      const { cos, sin } = this.rope.values(next);
      step.cos.set(cos);
      step.sin.set(sin);
    }
    for (let b = 0; b < batch; b++) next[b]! += 1;
    step.seqlens.fill(past);
    step.run.run();
    cache.write(step.fresh, 1);
    cache.slots.commit([], new Uint8Array(batch).fill(1), 1, next);
    return step.logits;
  }

  /**
   * Binds a decoding step to the cache's arrays: the mask over its slots (padding stays masked;
   * new tokens are real) is fixed, as is total_sequence_length, the capacity.
   */
  private bindStep(cache: OnnxKvCache): DecodeStep {
    const batch = cache.slots.batchSize;
    const { capacity, length: past } = cache;
    const { vocabSize, headDim } = this.config;
    const bias = new Float32Array(batch * capacity);
    if (cache.slots.hasPadding) {
      const mask = cache.slots.keyMask(new Uint8Array(0), 0);
      for (let b = 0; b < batch; b++)
        for (let j = 0; j < past; j++)
          if (mask[b * past + j] === 0) bias[b * capacity + j] = MASKED;
    }
    const step = {
      session: this.session,
      ids: new BigInt64Array(batch),
      positions: new BigInt64Array(batch),
      cos: new Float32Array(batch * headDim),
      sin: new Float32Array(batch * headDim),
      seqlens: new Int32Array(batch),
      logits: new Float32Array(batch * vocabSize),
      fresh: freshArrays(this.config, batch, 1),
    };
    const feeds: Record<string, OnnxArray> = {
      input_ids: { dataType: 'int64', dims: [batch, 1], data: step.ids },
      attention_bias: { dataType: 'float32', dims: [batch, 1, 1, capacity], data: bias },
      seqlens_k: { dataType: 'int32', dims: [batch], data: step.seqlens },
      total_sequence_length: { dataType: 'int32', dims: [], data: Int32Array.of(capacity) },
      ...cache.past,
    };
    if (this.rope === undefined) {
      feeds.position_ids = { dataType: 'int64', dims: [batch, 1], data: step.positions };
    } else {
      feeds.rope_cos = { dataType: 'float32', dims: [batch, 1, 1, headDim], data: step.cos };
      feeds.rope_sin = { dataType: 'float32', dims: [batch, 1, 1, headDim], data: step.sin };
    }
    const outputs: Record<string, OnnxArray> = {
      logits: { dataType: 'float32', dims: [batch, 1, vocabSize], data: step.logits },
      ...step.fresh,
    };
    return { ...step, run: this.session.bind(feeds, outputs) };
  }

  /** Checks tokens, cache (a new one when none is given) and mask for a run after what the cache holds. */
  private checkRun(
    fn: string,
    tokens: readonly (readonly number[])[],
    given: OnnxKvCache | undefined,
    paddingMask: Uint8Array | undefined,
  ): { ids: Int32Array; batch: number; length: number; chunkMask: Uint8Array; cache: OnnxKvCache } {
    const { ids, batch, length } = checkTokens(fn, 'tokens', tokens, this.config.vocabSize);
    const cache = given ?? this.createCache(batch);
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
    const chunkMask = checkPaddingMask(fn, paddingMask, batch * length);
    return { ids, batch, length, chunkMask, cache };
  }

  /** Any chunk through the unbound path. */
  private run(
    fn: string,
    tokens: readonly (readonly number[])[],
    given: OnnxKvCache | undefined,
    paddingMask: Uint8Array | undefined,
  ): OnnxArray {
    const { ids, batch, length, chunkMask, cache } = this.checkRun(fn, tokens, given, paddingMask);
    cache.reserve(cache.length + length);
    cache.step = undefined;
    if (batch > 1 && length > 1 && cache.length > 0)
      return this.columns(ids, batch, length, cache, chunkMask);
    return this.chunk(ids, batch, length, cache, chunkMask);
  }

  /**
   * A chunk of several tokens per row after a filled cache, one column at a time (the attention
   * kernel takes several new tokens after a cache only for a single row).
   */
  private columns(
    ids: Int32Array,
    batch: number,
    length: number,
    cache: OnnxKvCache,
    chunkMask: Uint8Array,
  ): OnnxArray {
    const v = this.config.vocabSize;
    const out = new Float32Array(batch * length * v);
    for (let t = 0; t < length; t++) {
      const column = Int32Array.from({ length: batch }, (_, b) => ids[b * length + t]!);
      const mask = Uint8Array.from({ length: batch }, (_, b) => chunkMask[b * length + t]!);
      const logits = this.chunk(column, batch, 1, cache, mask).data as Float32Array;
      for (let b = 0; b < batch; b++)
        out.set(logits.subarray(b * v, (b + 1) * v), (b * length + t) * v);
    }
    return { dataType: 'float32', dims: [batch, length, v], data: out };
  }

  private chunk(
    ids: ArrayLike<number>,
    batch: number,
    length: number,
    cache: OnnxKvCache,
    chunkMask: Uint8Array,
  ): OnnxArray {
    const { vocabSize: v, headDim } = this.config;
    const { capacity, length: past } = cache;
    const { positions, next, keyMask } = planChunk(cache.slots, chunkMask, batch, length);
    // A prompt (no cache yet) attends over its own length; later steps over the cache arrays,
    // each row up to its filled length (seqlens_k + 1).
    const total = past === 0 && length > 1 ? length : capacity;
    const bias = new Float32Array(batch * length * total);
    const filled = past + length;
    for (let b = 0; b < batch; b++) {
      for (let i = 0; i < length; i++) {
        const row = bias.subarray((b * length + i) * total, (b * length + i + 1) * total);
        for (let j = 0; j < total; j++) {
          const visible = j <= past + i && (keyMask === undefined || keyMask[b * filled + j] === 1);
          if (!visible) row[j] = MASKED;
        }
      }
    }
    const feeds: Record<string, OnnxArray> = {
      input_ids: { dataType: 'int64', dims: [batch, length], data: toInt64(ids) },
      attention_bias: { dataType: 'float32', dims: [batch, 1, length, total], data: bias },
      seqlens_k: {
        dataType: 'int32',
        dims: [batch],
        data: new Int32Array(batch).fill(filled - 1),
      },
      total_sequence_length: { dataType: 'int32', dims: [], data: Int32Array.of(total) },
      ...cache.past,
    };
    if (this.rope === undefined) {
      feeds.position_ids = { dataType: 'int64', dims: [batch, length], data: toInt64(positions) };
    } else {
      const { cos, sin } = this.rope.values(positions);
      const dims = [batch, length, 1, headDim];
      feeds.rope_cos = { dataType: 'float32', dims, data: cos };
      feeds.rope_sin = { dataType: 'float32', dims, data: sin };
    }
    const logits: OnnxArray = {
      dataType: 'float32',
      dims: [batch, length, v],
      data: new Float32Array(batch * length * v),
    };
    const fresh = freshArrays(this.config, batch, length);
    this.session.run(feeds, { outputs: { logits, ...fresh } });
    cache.write(fresh, length);
    cache.slots.commit([], chunkMask, length, next);
    return logits;
  }
}

/** Arrays for a run's new keys and values (`key_i`, `value_i`, [B, T, K·d]). */
function freshArrays(
  config: ResolvedTransformerConfig,
  batch: number,
  length: number,
): Record<string, OnnxArray> {
  const { layers, kvHeads, headDim } = config;
  const out: Record<string, OnnxArray> = {};
  for (let i = 0; i < layers; i++)
    for (const kind of ['key', 'value'])
      out[`${kind}_${i}`] = {
        dataType: 'float32',
        dims: [batch, length, kvHeads * headDim],
        data: new Float32Array(batch * length * kvHeads * headDim),
      };
  return out;
}

function toInt64(values: ArrayLike<number>): BigInt64Array {
  const out = new BigInt64Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = BigInt(values[i]!);
  return out;
}
