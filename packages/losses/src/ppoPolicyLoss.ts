/**
 * The clipped surrogate objective of PPO (Schulman et al. 2017, "Proximal Policy Optimization
 * Algorithms", eq. 7) per token, as TRL's `PPOTrainer` and `GRPOTrainer` compute it:
 *
 *   ρ = exp(log π − log π_old),   loss_t = max(−A·ρ, −A·clip(ρ, 1 − ε_low, 1 + ε_high))
 *
 * optionally plus β·KL(π ‖ π_ref) per token (GRPO, Shao et al. 2024, DeepSeekMath eq. 3, with
 * the k3 estimator), then aggregated over the kept tokens:
 *
 * - `'token-mean'`: Σ loss·mask / Σ mask (TRL PPO's `masked_mean`; GRPO's `bnpo`/DAPO),
 * - `'sequence-mean'`: the mean over sequences of each sequence's token mean (GRPO's `grpo`),
 * - `'fixed-length'`: Σ loss·mask / (B·T) (Dr. GRPO, Liu et al. 2025, "Understanding R1-Zero").
 *
 * An asymmetric clip (ε_high > ε_low) is DAPO's "clip-higher" (Yu et al. 2025, §3.1).
 */
import { ops, type Tensor } from '@llmkit/tensor-gpu';
import { check, maskArg, oneOf, sameShape, shapeOf, tensorArg } from './internal/check.js';
import { klFromLogRatio } from './internal/kl.js';
import { scopeResult } from './internal/scopeResult.js';
import type { KlEstimator } from './perTokenKl.js';

/** How per-token PPO losses become one number. @public */
export type TokenAggregation = 'token-mean' | 'sequence-mean' | 'fixed-length';

/** Inputs of {@link ppoPolicyLoss}. @public */
export interface PpoPolicyInputs {
  /** [B, T]: log π(y_t) under the policy being trained. */
  readonly logProbs: Tensor;
  /** [B, T]: log π_old(y_t) under the policy that sampled the tokens (constants). */
  readonly oldLogProbs: Tensor;
  /** [B, T] per token, or [B] per sequence (GRPO): the advantages A (constants). */
  readonly advantages: Tensor;
  /** [B, T] bool (or int32 0/1): the completion tokens that count. */
  readonly mask: Tensor;
  /** [B, T]: log π_ref(y_t), needed when `klCoef` > 0. */
  readonly referenceLogProbs?: Tensor;
}

/** Options of {@link ppoPolicyLoss}. @public */
export interface PpoPolicyLossOptions {
  /** ε_low: ρ is clipped below at 1 − ε_low. @defaultValue 0.2 */
  readonly clipRange?: number;
  /** ε_high: ρ is clipped above at 1 + ε_high. @defaultValue `clipRange` */
  readonly clipRangeHigh?: number;
  /** @defaultValue 'token-mean' */
  readonly aggregation?: TokenAggregation;
  /** β ≥ 0 of the per-token KL term (GRPO's `beta`). @defaultValue 0 */
  readonly klCoef?: number;
  /** @defaultValue 'k3' (GRPO's) */
  readonly klEstimator?: KlEstimator;
}

/** What {@link ppoPolicyLoss} returns (TRL's logged policy statistics). @public */
export interface PpoPolicyLossResult {
  /** Scalar loss. */
  readonly loss: Tensor;
  /** Scalar: fraction of kept tokens where clipping was active (`policy/clipfrac_avg`). */
  readonly clipFraction: Tensor;
  /** Scalar: ½·mean (log ρ)² over kept tokens (`policy/approxkl_avg`; TRL averages padding too). */
  readonly approxKl: Tensor;
  /** Scalar: mean ρ over kept tokens (`val/ratio`). */
  readonly meanRatio: Tensor;
  /** Scalar: mean per-token KL to the reference over kept tokens; 0 without `klCoef`. */
  readonly kl: Tensor;
}

const FN = 'ppoPolicyLoss';
const AGGREGATIONS: readonly TokenAggregation[] = ['token-mean', 'sequence-mean', 'fixed-length'];

/**
 * PPO's clipped policy loss. Differentiable with respect to `logProbs`; the old log-probs and
 * advantages are treated as given.
 * @example
 * ```ts
 * const { loss, clipFraction } = ppoPolicyLoss({ logProbs, oldLogProbs, advantages, mask });
 * ```
 * @throws LossError `SHAPE_MISMATCH`, `DTYPE_MISMATCH` (a float mask), `INVALID_ARGUMENT`.
 * @public
 */
export function ppoPolicyLoss(
  inputs: PpoPolicyInputs,
  options: PpoPolicyLossOptions = {},
): PpoPolicyLossResult {
  const logProbs = tensorArg(FN, 'inputs.logProbs', inputs.logProbs, ['float32'], [2]);
  const [b, t] = logProbs.shape as [number, number];
  const why = `the shape of inputs.logProbs ${shapeOf(logProbs.shape)}`;
  const old = tensorArg(FN, 'inputs.oldLogProbs', inputs.oldLogProbs, ['float32'], [2]);
  sameShape(FN, 'inputs.oldLogProbs', old, [b, t], why);
  const advantages = tensorArg(FN, 'inputs.advantages', inputs.advantages, ['float32'], [1, 2]);
  sameShape(FN, 'inputs.advantages', advantages, advantages.rank === 1 ? [b] : [b, t], why);
  const low = check.nonNegative(FN, 'options.clipRange', options.clipRange ?? 0.2);
  const high = check.nonNegative(FN, 'options.clipRangeHigh', options.clipRangeHigh ?? low);
  const aggregation = oneOf(
    FN,
    'options.aggregation',
    options.aggregation ?? 'token-mean',
    AGGREGATIONS,
  );
  const klCoef = check.nonNegative(FN, 'options.klCoef', options.klCoef ?? 0);
  const estimator = oneOf(FN, 'options.klEstimator', options.klEstimator ?? 'k3', [
    'k1',
    'k2',
    'k3',
  ] as const);
  const reference =
    klCoef > 0
      ? tensorArg(FN, 'inputs.referenceLogProbs', inputs.referenceLogProbs, ['float32'], [2])
      : undefined;
  if (reference !== undefined) sameShape(FN, 'inputs.referenceLogProbs', reference, [b, t], why);

  return scopeResult(() => {
    const mask = maskArg(FN, 'inputs.mask', inputs.mask, [b, t], why);
    const a = advantages.rank === 1 ? ops.reshape(advantages, [b, 1]) : advantages;
    const logRatio = ops.sub(logProbs, old);
    const ratio = ops.exp(logRatio);
    const unclipped = ops.mul(ops.neg(a), ratio);
    const clipped = ops.mul(ops.neg(a), ops.clipByValue(ratio, 1 - low, 1 + high));
    let perToken = ops.maximum(unclipped, clipped);
    const kl =
      reference === undefined ? undefined : klFromLogRatio(ops.sub(reference, logProbs), estimator);
    if (kl !== undefined) perToken = ops.add(perToken, ops.mul(kl, klCoef));
    const kept = ops.maximum(ops.sum(mask), 1);
    const tokenMean = (x: Tensor): Tensor => ops.div(ops.sum(ops.mul(x, mask)), kept);
    let loss: Tensor;
    if (aggregation === 'token-mean') loss = tokenMean(perToken);
    else if (aggregation === 'fixed-length')
      loss = ops.div(ops.sum(ops.mul(perToken, mask)), b * t);
    else {
      const perSequence = ops.div(
        ops.sum(ops.mul(perToken, mask), 1),
        ops.maximum(ops.sum(mask, 1), 1),
      );
      loss = ops.mean(perSequence);
    }
    return {
      loss,
      clipFraction: tokenMean(ops.cast(ops.greater(clipped, unclipped), 'float32')),
      approxKl: ops.mul(tokenMean(ops.square(logRatio)), 0.5),
      meanRatio: tokenMean(ratio),
      kl: kl === undefined ? ops.scalar(0) : tokenMean(kl),
    };
  });
}
