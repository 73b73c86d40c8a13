/**
 * Per-token estimators of KL(π ‖ π_ref) from log-probs of sampled tokens, after Schulman,
 * "Approximating KL Divergence" (2020, joschu.net/blog/kl-approx.html). With log r =
 * log π_ref(y) − log π(y) for y sampled from π:
 *
 *   k1 = −log r              unbiased, high variance, can be negative (TRL PPO's default)
 *   k2 = ½·(log r)²          biased, low variance, ≥ 0
 *   k3 = (r − 1) − log r     unbiased, low variance, ≥ 0 (GRPO, DeepSeekMath eq. 4)
 */
import { ops, scope, type Tensor } from '@llmkit/tensor-gpu';
import { oneOf, sameShape, shapeOf, tensorArg } from './internal/check.js';
import { klFromLogRatio } from './internal/kl.js';

/** The KL estimators of {@link perTokenKl}. @public */
export type KlEstimator = 'k1' | 'k2' | 'k3';

/** Options of {@link perTokenKl}. @public */
export interface PerTokenKlOptions {
  /** @defaultValue 'k1' */
  readonly estimator?: KlEstimator;
}

const FN = 'perTokenKl';

/**
 * The per-token KL estimate between the policy and a reference at the sampled tokens.
 * Differentiable with respect to both. Mask it yourself ({@link maskedMean}); padding holds
 * whatever the log-probs there give.
 * @param logProbs - float32 [B, T], log π(y_t) of the sampled tokens
 * @param referenceLogProbs - float32 [B, T], log π_ref(y_t)
 * @example
 * ```ts
 * const kl = perTokenKl(logps, refLogps, { estimator: 'k3' });
 * ```
 * @public
 */
export function perTokenKl(
  logProbs: Tensor,
  referenceLogProbs: Tensor,
  options: PerTokenKlOptions = {},
): Tensor {
  const lp = tensorArg(FN, 'logProbs', logProbs, ['float32'], 'any');
  const ref = tensorArg(FN, 'referenceLogProbs', referenceLogProbs, ['float32'], 'any');
  sameShape(FN, 'referenceLogProbs', ref, lp.shape, `the shape of logProbs ${shapeOf(lp.shape)}`);
  const estimator = oneOf(FN, 'options.estimator', options.estimator ?? 'k1', [
    'k1',
    'k2',
    'k3',
  ] as const);
  return scope(() => klFromLogRatio(ops.sub(ref, lp), estimator));
}
