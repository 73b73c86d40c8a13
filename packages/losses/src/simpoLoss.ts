/**
 * SimPO: Meng, Xia and Chen, "SimPO: Simple Preference Optimization with a Reference-Free
 * Reward" (NeurIPS 2024), eq. 6: −log σ(β·(ℓ_c − ℓ_r) − γ), where ℓ is the length-normalised
 * log-prob of a completion (`sequenceLogProbs(…, { average: true })`) and γ a target margin. As
 * TRL's `CPOTrainer` with `loss_type="simpo"`, label smoothing gives the conservative form
 * −(1−ε)·log σ(z) − ε·log σ(−z), and the logged rewards are β·ℓ.
 */
import { ops, type Tensor } from '@llmkit/tensor-gpu';
import type { PreferenceLossResult } from './dpoLoss.js';
import { check } from './internal/check.js';
import { logSigmoid } from './internal/logSigmoid.js';
import { preferenceResult } from './internal/preferenceResult.js';
import { scopeResult } from './internal/scopeResult.js';
import { sameLengthVectors } from './internal/vectors.js';

/** Length-normalised log-probs of the policy, each float32 [B]. @public */
export interface SimpoInputs {
  readonly policyChosenLogps: Tensor;
  readonly policyRejectedLogps: Tensor;
}

/** Options of {@link simpoLoss}. @public */
export interface SimpoLossOptions {
  /**
   * β > 0, the reward scale. The paper tunes β in [2, 2.5] (and up to 10 for Gemma); TRL's
   * `CPOConfig` defaults to 0.1 for its other losses.
   * @defaultValue 2
   */
  readonly beta?: number;
  /**
   * γ ≥ 0, the target reward margin (TRL's `simpo_gamma`). The paper sets γ/β = 0.5.
   * @defaultValue 1
   */
  readonly gamma?: number;
  /** ε in [0, 0.5): conservative label smoothing. @defaultValue 0 */
  readonly labelSmoothing?: number;
}

const FN = 'simpoLoss';

/**
 * SimPO loss of a batch of pairs (reference-free), with rewards β·ℓ as TRL logs them.
 * @example
 * ```ts
 * const chosen = sequenceLogProbs(chosenLogits, chosenIds, chosenMask, { average: true });
 * const rejected = sequenceLogProbs(rejectedLogits, rejectedIds, rejectedMask, { average: true });
 * const { loss } = simpoLoss({ policyChosenLogps: chosen, policyRejectedLogps: rejected });
 * ```
 * @throws LossError `SHAPE_MISMATCH`, `INVALID_ARGUMENT` (β ≤ 0, γ < 0).
 * @public
 */
export function simpoLoss(
  inputs: SimpoInputs,
  options: SimpoLossOptions = {},
): PreferenceLossResult {
  const v = sameLengthVectors(FN, 'inputs', inputs, ['policyChosenLogps', 'policyRejectedLogps']);
  const beta = check.positive(FN, 'options.beta', options.beta ?? 2);
  const gamma = check.nonNegative(FN, 'options.gamma', options.gamma ?? 1);
  const smoothing = check.probability(FN, 'options.labelSmoothing', options.labelSmoothing ?? 0);
  return scopeResult(() => {
    // z = β·(ℓ_c − ℓ_r) − γ
    const z = ops.sub(ops.mul(ops.sub(v.policyChosenLogps, v.policyRejectedLogps), beta), gamma);
    const losses = ops.sub(
      ops.mul(logSigmoid(z), -(1 - smoothing)),
      ops.mul(logSigmoid(ops.neg(z)), smoothing),
    );
    return preferenceResult(
      ops.mean(losses),
      ops.mul(v.policyChosenLogps, beta),
      ops.mul(v.policyRejectedLogps, beta),
    );
  });
}
