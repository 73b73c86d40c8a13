/**
 * One optimisation step: forward, loss, backward, global-norm clipping, optimizer update, and
 * the numbers a training log wants (loss, gradient norm, learning rate, tokens/s, MFU). The
 * parts are public (`model.loss`, `ops.variableGrads`, `clipGradNormAsync`, `optimizer.step`), so a
 * loop with other needs can be written from them; this is the common case.
 *
 * A step whose loss or gradient norm is not finite changes nothing: it throws a
 * {@link NonFiniteLossError} before the optimizer runs, with the step number and the last
 * finite values, so the parameters (and any checkpoint written from them) stay as they were.
 */
import { LlmkitError, type LlmkitErrorInit } from '@llmkit/numeric';
import { transformerFlops } from '@llmkit/scaling';
import {
  clipGradNormAsync,
  computeInfo,
  dispose,
  isTensor,
  mfu,
  type Optimizer,
  parameterGrads,
} from '@llmkit/tensor-gpu';
import type { ResolvedTransformerConfig } from './config.js';
import { TransformerError } from './errors.js';
import { check } from './internal/check.js';
import type { TokenBatch } from './internal/tokens.js';
import type { Transformer } from './transformer.js';

/** Inputs and next-token targets of one step, [B, T] each (−100 skips a target). @public */
export interface TrainBatch {
  readonly inputs: TokenBatch;
  readonly targets: TokenBatch;
}

/** Options of {@link trainStep}. @public */
export interface TrainStepOptions {
  /** Clip the global gradient norm to this (nanoGPT and most LLM recipes: 1). `Infinity` turns clipping off. @defaultValue 1 */
  readonly maxGradNorm?: number;
  /** Peak FLOP/s for MFU. @defaultValue the backend's measured peak (`measurePeakFlops`), else MFU is undefined */
  readonly peakFlops?: number;
  /** The previous step's result, reported in the error if this step's loss is not finite. */
  readonly previous?: TrainStepResult | undefined;
}

/** What one training step did. @public */
export interface TrainStepResult {
  /** The optimizer's update count after this step (1 after the first). */
  readonly step: number;
  /** Mean cross-entropy of the batch before the update, in nats. */
  readonly loss: number;
  /** Global L2 norm of the gradients before clipping. */
  readonly gradNorm: number;
  /** The learning rate the update used. */
  readonly learningRate: number;
  /** Input positions processed (B·T). */
  readonly tokens: number;
  readonly seconds: number;
  readonly tokensPerSecond: number;
  /** Model FLOPs of the step (PaLM appendix B: forward and backward, attention included). */
  readonly flops: number;
  /** Model FLOP utilisation against `peakFlops`; undefined when no peak is known. */
  readonly mfu: number | undefined;
}

/** The error of a step whose loss or gradient norm is NaN or infinite. @public */
export class NonFiniteLossError extends TransformerError {
  /** The step that failed (the optimizer's update count it would have reached). */
  readonly step: number;
  readonly loss: number;
  readonly gradNorm: number;
  /** The last step that was finite, when the caller passed it as `previous`. */
  readonly lastFinite: TrainStepResult | undefined;

  constructor(
    init: LlmkitErrorInit,
    step: number,
    loss: number,
    gradNorm: number,
    lastFinite: TrainStepResult | undefined,
  ) {
    super(init);
    this.step = step;
    this.loss = loss;
    this.gradNorm = gradNorm;
    this.lastFinite = lastFinite;
  }
}

/** The error of a non-finite step, with the last finite one. */
function nonFinite(
  step: number,
  loss: number,
  gradNorm: number,
  last: TrainStepResult | undefined,
  cause: string,
): NonFiniteLossError {
  const previous = last
    ? `The last finite step was ${last.step} (loss ${last.loss}, gradient norm ${last.gradNorm}, learning rate ${last.learningRate}). `
    : '';
  return new NonFiniteLossError(
    {
      code: 'NON_FINITE',
      fn: 'trainStep',
      argument: 'batch',
      detail: `step ${step} has loss ${loss} and gradient norm ${gradNorm}${cause}; no parameter was updated. ${previous}Lower the learning rate, clip harder, or resume from the last checkpoint.`,
    },
    step,
    loss,
    gradNorm,
    last,
  );
}

/**
 * Training FLOPs per token of a config at a sequence length: 6·N plus attention's 12·L·H·Q·T
 * (PaLM, Chowdhery et al. 2022, appendix B), from `@llmkit/scaling`'s detailed count.
 * @public
 */
export function trainingFlopsPerToken(
  config: ResolvedTransformerConfig,
  sequenceLength: number,
): number {
  const shape = {
    layers: config.layers,
    dModel: config.width,
    heads: config.heads,
    headDim: config.headDim,
    kvHeads: config.kvHeads,
    ffnHidden: config.mlpWidth,
    gatedMlp: config.mlp === 'swiglu',
    vocabSize: config.vocabSize,
    tiedEmbeddings: config.tieEmbeddings,
  };
  return transformerFlops(shape, { sequenceLength }).training;
}

/**
 * Runs one training step of `model` with `optimizer` on a batch.
 * @example
 * ```ts
 * const optimizer = new AdamW(model.parameters(), { learningRate: 1e-3, weightDecay: 0.1 });
 * let last: TrainStepResult | undefined;
 * for (const batch of batches) last = await trainStep(model, optimizer, batch, { previous: last });
 * ```
 * @throws NonFiniteLossError when the loss or gradient norm is NaN or infinite (nothing is updated).
 * @public
 */
export async function trainStep(
  model: Transformer,
  optimizer: Optimizer,
  batch: TrainBatch,
  options: TrainStepOptions = {},
): Promise<TrainStepResult> {
  const fn = 'trainStep';
  const maxGradNorm = options.maxGradNorm ?? 1;
  if (maxGradNorm !== Number.POSITIVE_INFINITY)
    check.positive(fn, 'options.maxGradNorm', maxGradNorm);
  const started = performance.now();
  const step = optimizer.stepCount + 1;
  let computed: ReturnType<typeof parameterGrads>;
  try {
    computed = parameterGrads(
      () => model.loss(batch.inputs, batch.targets, { training: true }).loss,
      model.parameters(),
    );
  } catch (error) {
    // The loss refuses NaN or infinite logits before reducing them.
    if (error instanceof LlmkitError && error.code === 'NON_FINITE') {
      throw nonFinite(step, Number.NaN, Number.NaN, options.previous, ` (${error.message})`);
    }
    throw error;
  }
  const { value, grads: gradients } = computed;
  const [rows, length] = isTensor(batch.inputs)
    ? (batch.inputs.shape as [number, number])
    : [batch.inputs.length, batch.inputs[0]!.length];
  const tokens = rows * length;
  // Without clipping, a bound no norm reaches keeps the coefficient at 1 and still measures.
  const bound = maxGradNorm === Number.POSITIVE_INFINITY ? Number.MAX_VALUE : maxGradNorm;
  // Both reads wait for the device once, and only asynchronously (WebGPU has no other way).
  const [lossValues, { gradients: clipped, totalNorm }] = await Promise.all([
    value.data(),
    clipGradNormAsync(gradients, bound),
  ]);
  const loss = lossValues[0]!;
  if (!Number.isFinite(loss) || !Number.isFinite(totalNorm)) {
    dispose([value, ...Object.values(gradients), ...Object.values(clipped)]);
    throw nonFinite(step, loss, totalNorm, options.previous, '');
  }
  const learningRate = optimizer.step(clipped);
  dispose([value, ...Object.values(gradients), ...Object.values(clipped)]);
  const seconds = (performance.now() - started) / 1000;
  const flops = trainingFlopsPerToken(model.config, length) * tokens;
  const peakFlops = options.peakFlops ?? computeInfo()?.peakFlops;
  return {
    step,
    loss,
    gradNorm: totalNorm,
    learningRate,
    tokens,
    seconds,
    tokensPerSecond: tokens / seconds,
    flops,
    mfu: peakFlops === undefined ? undefined : mfu({ flops, seconds, peakFlops }),
  };
}
