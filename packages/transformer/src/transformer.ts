/**
 * The decoder-only transformer: token (and learned position) embeddings, L pre-norm blocks
 * x + attn(norm(x)), x + mlp(norm(x)), a final norm and the output projection to vocabulary
 * logits (Radford et al. 2019, GPT-2 §2.3; Touvron et al. 2023, Llama §2.2).
 *
 * Parameters are engine `Variable`s named as in Hugging Face transformers and stored in its
 * layouts (see `parameterSpecs.ts`), so `parameters()` feeds the optimizers and safetensors
 * files directly. Dropout draws from the model's own seeded generator, whose state is part of a
 * checkpoint, so training with dropout resumes bit for bit.
 */
import { crossEntropy } from '@llmkit/losses';
import { Random, type RandomState } from '@llmkit/numeric';
import {
  dispose,
  hostValues,
  keep,
  type NamedVariables,
  ops,
  type Scalar,
  scope,
  type Tensor,
  type Variable,
} from '@llmkit/tensor-gpu';
import { type ResolvedTransformerConfig, resolveConfig, type TransformerConfig } from './config.js';
import { TransformerError } from './errors.js';
import { type GenerateOptions, generate } from './generate.js';
import { attention, attentionBias } from './internal/attention.js';
import { check } from './internal/check.js';
import { initialValues } from './internal/initialize.js';
import { mlp, normalize, type Weights, weight } from './internal/layers.js';
import { type ModelLayout, modelLayout } from './internal/layout.js';
import { RopeTables } from './internal/rope.js';
import { checkPaddingMask, checkTargets, checkTokens, type TokenBatch } from './internal/tokens.js';
import { KvCache, type LayerCache, planChunk } from './kvCache.js';
import { type ParameterSpec, specsOf } from './parameterSpecs.js';

/** Options of the {@link Transformer} constructor. @public */
export interface TransformerOptions {
  /** Seed of the initialisation and of dropout. @defaultValue 0 */
  readonly seed?: number;
  /**
   * Draw GPT-2's initialisation (true) or start every parameter at zero (false: cheaper when
   * weights are loaded right after).
   * @defaultValue true
   */
  readonly initialize?: boolean;
}

/** Options of {@link Transformer.forward}. @public */
export interface ForwardOptions {
  /** Cache of earlier positions: the tokens continue them, and their keys/values are appended. */
  readonly cache?: KvCache;
  /** Apply dropout (when the config's `dropout` > 0). @defaultValue false */
  readonly training?: boolean;
  /**
   * 1 for real tokens, 0 for padding, row-major [B·T]; padded slots are never attended to and
   * do not advance positions (left padding for batched generation).
   * @defaultValue all ones
   */
  readonly paddingMask?: Uint8Array;
  /** `'last'` computes logits for the last position of each row only (decoding). @defaultValue 'all' */
  readonly logits?: 'all' | 'last';
}

/** A loss and how many target positions it averages over. @public */
export interface LossResult {
  /** Mean cross-entropy in nats. */
  readonly loss: Scalar;
  /** Target positions counted (targets of −100 are skipped). */
  readonly tokenCount: number;
}

/**
 * A decoder-only transformer language model.
 * @example
 * ```ts
 * await initCompute();
 * const model = new Transformer(TINY_GPT, { seed: 1 });
 * const logits = model.forward([[1, 2, 3]]); // [1, 3, 65]
 * model.numParams(); // 828_672
 * ```
 * @public
 */
export class Transformer {
  /** The config with defaults filled in. */
  readonly config: ResolvedTransformerConfig;
  private readonly layout: ModelLayout;
  private readonly specs: readonly ParameterSpec[];
  private readonly variables = new Map<string, Variable>();
  private readonly rope: RopeTables | undefined;
  private random: Random;
  private disposed = false;

  /**
   * @throws TransformerError `INVALID_ARGUMENT` listing every problem of a config that cannot work.
   */
  constructor(config: TransformerConfig, options: TransformerOptions = {}) {
    this.config = resolveConfig(config, 'Transformer');
    const seed = check.integer('Transformer', 'options.seed', options.seed ?? 0, { min: 0 });
    this.layout = modelLayout(this.config);
    this.specs = specsOf(this.config);
    const root = new Random(seed);
    this.random = root.fork('dropout');
    const initialize = options.initialize ?? true;
    for (const spec of this.specs) {
      const values = initialize ? initialValues(spec, root) : undefined;
      const initial = values ? ops.tensor(values, [...spec.shape]) : ops.zeros([...spec.shape]);
      this.variables.set(spec.name, ops.variable(initial, true));
      initial.dispose();
    }
    const { positions, headDim, ropeBase, contextLength } = this.config;
    this.rope = positions === 'rope' ? new RopeTables(headDim, ropeBase, contextLength) : undefined;
  }

  /** Every parameter by Hugging Face name (the model's own variables, not copies). */
  parameters(): NamedVariables {
    this.assertLive('parameters');
    return Object.fromEntries(this.variables);
  }

  /** The names, shapes and initialisation of the parameters. */
  parameterSpecs(): readonly ParameterSpec[] {
    return this.specs;
  }

  /** Number of parameters (a tied output embedding counted once). */
  numParams(): number {
    let n = 0;
    for (const v of this.variables.values()) n += v.size;
    return n;
  }

  /** An empty KV cache for `batchSize` rows. */
  createCache(batchSize = 1): KvCache {
    check.integer('Transformer.createCache', 'batchSize', batchSize, { min: 1 });
    return new KvCache(this.config.layers, batchSize, this.config.contextLength);
  }

  /** The dropout generator's state (for checkpoints). */
  randomState(): RandomState {
    return this.random.getState();
  }

  /** Restores the dropout generator from {@link Transformer.randomState}. */
  setRandomState(state: RandomState): void {
    this.random = Random.fromState(state);
  }

  /**
   * Logits of the next token at every position (or the last, with `logits: 'last'`).
   * @param tokens - ids [B, T] in [0, vocabSize)
   * @returns logits [B, T, V] (or [B, 1, V])
   * @throws TransformerError for ids outside the vocabulary, more positions than the context
   *   holds (past + T > contextLength), or a cache or mask of the wrong size.
   */
  forward(tokens: TokenBatch, options: ForwardOptions = {}): Tensor {
    const fn = 'Transformer.forward';
    this.assertLive(fn);
    const { ids, batch, length } = checkTokens(fn, 'tokens', tokens, this.config.vocabSize);
    const { cache } = options;
    if (cache !== undefined && cache.batchSize !== batch) {
      throw new TransformerError({
        code: 'SHAPE_MISMATCH',
        fn,
        argument: 'options.cache',
        detail: `the cache holds ${cache.batchSize} rows and the tokens have ${batch}.`,
      });
    }
    const past = cache?.length ?? 0;
    if (past + length > this.config.contextLength) {
      throw new TransformerError({
        code: 'INVALID_ARGUMENT',
        fn,
        argument: 'tokens',
        detail: `${past > 0 ? `${past} cached + ` : ''}${length} tokens exceed the context length ${this.config.contextLength}; shorten the input (or, when generating, pass contextOverflow: 'slide').`,
      });
    }
    const chunkMask = checkPaddingMask(fn, options.paddingMask, batch * length);
    const { positions, next, keyMask } = planChunk(cache, chunkMask, batch, length);
    const dropout = this.dropoutFn(options.training ?? false);
    const layers: LayerCache[] = [];
    try {
      const logits = scope(() => {
        const weights: Weights = this.variables;
        const { config, layout } = this;
        let x = ops.gather(weight(weights, layout.tokenEmbedding), ops.tensor1d(ids, 'int32'));
        if (layout.positionEmbedding !== undefined) {
          const table = weight(weights, layout.positionEmbedding);
          x = ops.add(x, ops.gather(table, ops.tensor1d(positions, 'int32')));
        }
        x = dropout(x);
        const rope = this.rope?.gather(positions, batch, length);
        const groups = config.heads / config.kvHeads;
        const causal = keyMask === undefined && groups === 1;
        const bias = causal ? undefined : attentionBias(batch, length, past, groups, keyMask);
        for (const [i, block] of layout.blocks.entries()) {
          const h = normalize(weights, block.norm1, config.norm, config.normEpsilon, x);
          const cached = cache?.layer(i);
          const context = { rope, causal, bias, past: cached, dropout };
          const result = attention(config, weights, block, h, batch, length, context);
          if (cache !== undefined)
            layers.push({ keys: keep(result.keys), values: keep(result.values) });
          x = ops.add(x, result.output);
          const h2 = normalize(weights, block.norm2, config.norm, config.normEpsilon, x);
          x = ops.add(x, dropout(mlp(weights, block.up, block.gate, block.down, config.gelu, h2)));
        }
        x = normalize(weights, layout.finalNorm, config.norm, config.normEpsilon, x);
        let rows = length;
        if (options.logits === 'last' && length > 1) {
          const last = Int32Array.from({ length: batch }, (_, b) => b * length + length - 1);
          x = ops.gather(x, ops.tensor1d(last, 'int32'));
        }
        if (options.logits === 'last') rows = 1;
        const output = weight(weights, layout.lmHead ?? layout.tokenEmbedding);
        return ops.reshape(ops.matMul(x, output, false, true), [batch, rows, config.vocabSize]);
      });
      cache?.commit(layers, chunkMask, length, next);
      return logits;
    } catch (error) {
      for (const layer of layers) dispose([layer.keys, layer.values]);
      throw error;
    }
  }

  /**
   * Mean cross-entropy of `targets` under the model's predictions for `inputs` (targets are
   * usually the inputs shifted left by one; −100 skips a position).
   */
  loss(
    inputs: TokenBatch,
    targets: TokenBatch,
    options: { readonly training?: boolean } = {},
  ): LossResult {
    const fn = 'Transformer.loss';
    const { vocabSize } = this.config;
    const input = checkTokens(fn, 'inputs', inputs, vocabSize);
    const target = checkTargets(fn, 'targets', targets, vocabSize, input.batch, input.length);
    return scope(() => {
      const logits = this.forward(
        ops.tensor2d(input.ids, [input.batch, input.length], 'int32'),
        options,
      );
      const result = crossEntropy(
        logits,
        ops.tensor2d(target, [input.batch, input.length], 'int32'),
      );
      return { loss: result.loss as Scalar, tokenCount: result.tokenCount };
    });
  }

  /**
   * Generates a continuation of `prompt` token by token (see {@link generate}).
   * @example
   * ```ts
   * for await (const token of model.generate([0, 5, 9], { maxNewTokens: 20, topK: 40, seed: 1 })) out.push(token);
   * ```
   */
  generate(
    prompt: readonly number[],
    options: GenerateOptions = {},
  ): AsyncGenerator<number, void, undefined> {
    return generate(this, prompt, options);
  }

  /**
   * Last-position logits [B·V] of a cached pass: one decoding step of {@link generate}. Read
   * synchronously where the backend allows it, asynchronously on WebGPU.
   */
  async nextLogits(
    tokens: number[][],
    cache: KvCache,
    paddingMask?: Uint8Array,
  ): Promise<Float32Array> {
    const logits = this.forward(tokens, {
      cache,
      logits: 'last',
      ...(paddingMask ? { paddingMask } : {}),
    });
    try {
      return (hostValues(logits) ?? (await logits.data())) as Float32Array;
    } finally {
      logits.dispose();
    }
  }

  /** Frees the parameters; the model cannot be used afterwards. */
  dispose(): void {
    for (const v of this.variables.values()) v.dispose();
    this.disposed = true;
  }

  private assertLive(fn: string): void {
    if (this.disposed) {
      throw new TransformerError({
        code: 'INVALID_ARGUMENT',
        fn,
        detail: 'the model was disposed.',
      });
    }
  }

  /** Dropout for one forward pass: each call site draws its own seeded mask. */
  private dropoutFn(training: boolean): (x: Tensor) => Tensor {
    const rate = this.config.dropout;
    if (!training || rate === 0) return (x) => x;
    const base = this.random.nextUint32();
    let site = 0;
    return (x) => ops.dropout(x, rate, undefined, `${base}:${site++}`);
  }
}
