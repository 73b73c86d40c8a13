/**
 * Activation memory of a GPT-style transformer layer in 16-bit training, after Korthikanti et
 * al. (2022), "Reducing Activation Recomputation in Large Transformer Models", §4 and Table 2.
 * Per layer and micro-batch of b sequences of length s, width h, a heads, tensor-parallel
 * degree t:
 *
 *   no recomputation, no sequence parallelism:  s·b·h·(10 + 24/t + 5·a·s/(h·t))
 *   with sequence parallelism:                  s·b·h·(34/t + 5·a·s/(h·t))
 *   selective recomputation (attention core):   drops the 5·a·s/(h·t) term
 *   full recomputation:                         2·s·b·h (only each layer's input is kept; as
 *                                               Table 2 states it, not divided by t)
 *
 * (t = 1 gives the unparallelised s·b·h·(34 + 5·a·s/h).) The constants assume the paper's block:
 * multi-head attention and a 4h GELU MLP with dropout; FlashAttention keeps no s×s matrices,
 * like selective recomputation. The embedding and output layers are left out.
 */
import { ScalingError } from './errors.js';
import { check } from './internal/check.js';
import { resolveShape, type TransformerShape } from './transformerShape.js';

/** What is recomputed in the backward pass. @public */
export type Recompute = 'none' | 'selective' | 'full';

/** Options of {@link activationMemory}. @public */
export interface ActivationMemoryOptions {
  /** Sequence length s. */
  readonly sequenceLength: number;
  /** Sequences per micro-batch b. @defaultValue 1 */
  readonly microBatch?: number;
  /** Tensor-parallel degree t. @defaultValue 1 */
  readonly tensorParallel?: number;
  /** Megatron sequence parallelism alongside tensor parallelism. @defaultValue true when t > 1 */
  readonly sequenceParallel?: boolean;
  /** @defaultValue 'none' */
  readonly recompute?: Recompute;
}

/** Activation bytes per GPU. @public */
export interface ActivationMemory {
  readonly perLayer: number;
  /** perLayer × layers: one micro-batch through the whole model. */
  readonly total: number;
}

/**
 * Activation memory per GPU for one micro-batch, per Korthikanti et al. (2022, Table 2).
 *
 * @example
 * ```ts
 * const gpt3 = { layers: 96, dModel: 12288, heads: 96, vocabSize: 51200 };
 * activationMemory(gpt3, { sequenceLength: 2048, tensorParallel: 8, recompute: 'selective' }).total;
 * ```
 * @public
 */
export function activationMemory(
  shape: TransformerShape,
  options: ActivationMemoryOptions,
): ActivationMemory {
  const fn = 'activationMemory';
  const s = resolveShape(fn, shape);
  const seq = check.integer(fn, 'options.sequenceLength', options?.sequenceLength, { min: 1 });
  const b = check.integer(fn, 'options.microBatch', options.microBatch ?? 1, { min: 1 });
  const t = check.integer(fn, 'options.tensorParallel', options.tensorParallel ?? 1, { min: 1 });
  if (s.heads % t !== 0) {
    throw new ScalingError({
      code: 'INVALID_ARGUMENT',
      fn,
      argument: 'options.tensorParallel',
      detail: `expected a divisor of the ${s.heads} heads, received ${t}.`,
    });
  }
  const sequenceParallel = options.sequenceParallel ?? t > 1;
  const recompute = options.recompute ?? 'none';
  if (recompute !== 'none' && recompute !== 'selective' && recompute !== 'full') {
    throw new ScalingError({
      code: 'INVALID_ARGUMENT',
      fn,
      argument: 'options.recompute',
      detail: `expected 'none', 'selective' or 'full', received ${JSON.stringify(recompute)}.`,
    });
  }
  const sbh = seq * b * s.dModel;
  let perLayer: number;
  if (recompute === 'full') {
    perLayer = 2 * sbh; // Table 2 gives 2sbh whatever the parallelism
  } else {
    const linear = sequenceParallel ? 34 / t : 10 + 24 / t;
    const attention = recompute === 'selective' ? 0 : (5 * s.heads * seq) / (s.dModel * t);
    perLayer = sbh * (linear + attention);
  }
  return { perLayer, total: perLayer * s.layers };
}
