/**
 * Generalised advantage estimation (Schulman et al. 2016, "High-Dimensional Continuous Control
 * Using Generalized Advantage Estimation", eq. 16) over masked token sequences, as TRL's
 * `PPOTrainer` computes it: rewards and values are zeroed outside the mask, then
 *
 *   δ_t = r_t + γ·V_{t+1} − V_t  (V_T = 0),   A_t = Σ_{s ≥ t} (γλ)^{s−t}·δ_s,   R_t = A_t + V_t.
 *
 * TRL runs the backward recursion A_t = δ_t + γλ·A_{t+1} in a loop of T steps; here the same
 * sums are one [B, T] × [T, T] product with the discount matrix, so the work stays on the
 * device (the matrix costs 4·T² bytes: 16 MiB at T = 2048).
 */
import { ops, scope, type Tensor } from '@llmkit/tensor-gpu';
import { check, maskArg, sameShape, shapeOf, tensorArg } from './internal/check.js';

/** Options of {@link gae}. @public */
export interface GaeOptions {
  /** γ in [0, 1], the discount. @defaultValue 1 (TRL's) */
  readonly gamma?: number;
  /** λ in [0, 1], the GAE trade-off between bias (0) and variance (1). @defaultValue 0.95 */
  readonly lambda?: number;
}

/** What {@link gae} returns, each [B, T] and 0 outside the mask. @public */
export interface GaeResult {
  /** A_t, not whitened (see {@link maskedWhiten}). */
  readonly advantages: Tensor;
  /** R_t = A_t + V_t, the value targets. */
  readonly returns: Tensor;
}

const FN = 'gae';

/**
 * Advantages and returns of each token.
 * @param rewards - float32 [B, T] per-token rewards ({@link klPenalizedRewards})
 * @param values - float32 [B, T] value predictions V_t
 * @param mask - bool (or int32 0/1) [B, T], the completion tokens
 * @example
 * ```ts
 * const { advantages, returns } = gae(rewards, values, mask, { gamma: 1, lambda: 0.95 });
 * const whitened = maskedWhiten(advantages, mask);
 * ```
 * @public
 */
export function gae(
  rewards: Tensor,
  values: Tensor,
  mask: Tensor,
  options: GaeOptions = {},
): GaeResult {
  const r = tensorArg(FN, 'rewards', rewards, ['float32'], [2]);
  const [b, t] = r.shape as [number, number];
  const why = `the shape of rewards ${shapeOf(r.shape)}`;
  const v = tensorArg(FN, 'values', values, ['float32'], [2]);
  sameShape(FN, 'values', v, [b, t], why);
  const gamma = check.probability(FN, 'options.gamma', options.gamma ?? 1);
  const lambda = check.probability(FN, 'options.lambda', options.lambda ?? 0.95);
  // discount[s, t] = (γλ)^(s − t) for s ≥ t, so (δ · discount)[t] = Σ_{s ≥ t} (γλ)^(s−t)·δ_s.
  const discount = new Float32Array(t * t);
  const decay = gamma * lambda;
  for (let s = 0; s < t; s++) {
    let weight = 1;
    for (let u = s; u >= 0; u--) {
      discount[s * t + u] = weight;
      weight *= decay;
    }
  }
  const [advantages, returns] = scope(() => {
    const m = maskArg(FN, 'mask', mask, [b, t], why);
    const maskedValues = ops.mul(v, m);
    const next = ops.concat([ops.slice(maskedValues, [0, 1], [b, t - 1]), ops.zeros([b, 1])], 1);
    const delta = ops.sub(ops.add(ops.mul(r, m), ops.mul(next, gamma)), maskedValues);
    const a = ops.matMul(delta, ops.tensor2d(discount, [t, t]));
    return [ops.mul(a, m), ops.mul(ops.add(a, maskedValues), m)];
  }) as [Tensor, Tensor];
  return { advantages, returns };
}
