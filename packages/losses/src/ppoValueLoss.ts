/**
 * PPO's clipped value loss as TRL's `PPOTrainer` (after OpenAI's `lm-human-preferences` and
 * Huang et al. 2024, "The N+ Implementation Details of RLHF with PPO", §value clipping):
 *
 *   v_clip = v_old + clip(v − v_old, −ε, ε),   loss = ½·masked_mean(max((v − R)², (v_clip − R)²))
 */
import { ops, type Tensor } from '@llmkit/tensor-gpu';
import { check, maskArg, sameShape, shapeOf, tensorArg } from './internal/check.js';
import { scopeResult } from './internal/scopeResult.js';

/** Inputs of {@link ppoValueLoss}, each [B, T]. @public */
export interface PpoValueInputs {
  /** The value head's predictions now. */
  readonly values: Tensor;
  /** Its predictions when the batch was sampled (constants). */
  readonly oldValues: Tensor;
  /** The return targets R, e.g. from {@link gae} (constants). */
  readonly returns: Tensor;
  /** bool (or int32 0/1): the positions that count. */
  readonly mask: Tensor;
}

/** Options of {@link ppoValueLoss}. @public */
export interface PpoValueLossOptions {
  /** ε ≥ 0: how far a prediction may move from the old one before clipping. @defaultValue 0.2 */
  readonly clipRange?: number;
}

/** What {@link ppoValueLoss} returns. @public */
export interface PpoValueLossResult {
  /** Scalar loss. */
  readonly loss: Tensor;
  /** Scalar: fraction of kept positions where the clipped error was the larger (`val/clipfrac_avg`). */
  readonly clipFraction: Tensor;
}

const FN = 'ppoValueLoss';

/**
 * The clipped value loss. Differentiable with respect to `values`.
 * @example
 * ```ts
 * const { loss } = ppoValueLoss({ values, oldValues, returns, mask }, { clipRange: 0.2 });
 * ```
 * @public
 */
export function ppoValueLoss(
  inputs: PpoValueInputs,
  options: PpoValueLossOptions = {},
): PpoValueLossResult {
  const values = tensorArg(FN, 'inputs.values', inputs.values, ['float32'], [2]);
  const why = `the shape of inputs.values ${shapeOf(values.shape)}`;
  const old = tensorArg(FN, 'inputs.oldValues', inputs.oldValues, ['float32'], [2]);
  sameShape(FN, 'inputs.oldValues', old, values.shape, why);
  const returns = tensorArg(FN, 'inputs.returns', inputs.returns, ['float32'], [2]);
  sameShape(FN, 'inputs.returns', returns, values.shape, why);
  const clip = check.nonNegative(FN, 'options.clipRange', options.clipRange ?? 0.2);
  return scopeResult(() => {
    const mask = maskArg(FN, 'inputs.mask', inputs.mask, values.shape, why);
    const clipped = ops.add(old, ops.clipByValue(ops.sub(values, old), -clip, clip));
    const error = ops.square(ops.sub(values, returns));
    const clippedError = ops.square(ops.sub(clipped, returns));
    const kept = ops.maximum(ops.sum(mask), 1);
    const tokenMean = (x: Tensor): Tensor => ops.div(ops.sum(ops.mul(x, mask)), kept);
    return {
      loss: ops.mul(tokenMean(ops.maximum(error, clippedError)), 0.5),
      clipFraction: tokenMean(ops.cast(ops.greater(clippedError, error), 'float32')),
    };
  });
}
