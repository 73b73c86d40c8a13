/**
 * ORPO: Hong, Lee and Thorne, "ORPO: Monolithic Preference Optimization without Reference
 * Model" (EMNLP 2024), eq. 6–7: L = L_SFT + β·mean(−log σ(log odds(y_c) − log odds(y_r))) with
 * odds(y) = P(y)/(1 − P(y)) of the length-normalised likelihood P = exp(ℓ). TRL's
 * `ORPOTrainer.odds_ratio_loss` computes log odds as ℓ − log1p(−exp ℓ); here log(−expm1 ℓ) keeps
 * precision when ℓ is near 0. Rewards are β·ℓ, as TRL logs them.
 */
import { ops, type Tensor } from '@llmkit/tensor-gpu';
import type { PreferenceLossResult } from './dpoLoss.js';
import { check, tensorArg } from './internal/check.js';
import { logSigmoid } from './internal/logSigmoid.js';
import { preferenceResult } from './internal/preferenceResult.js';
import { scopeResult } from './internal/scopeResult.js';
import { sameLengthVectors } from './internal/vectors.js';

/** Inputs of {@link orpoLoss}. @public */
export interface OrpoInputs {
  /** [B]: length-normalised log-probs ℓ < 0 of the chosen completions. */
  readonly policyChosenLogps: Tensor;
  /** [B]: the same for the rejected completions. */
  readonly policyRejectedLogps: Tensor;
  /**
   * Scalar: the SFT loss on the chosen completions, e.g. `crossEntropy(chosenLogits,
   * chosenLabels).loss` (TRL's `nll_loss`).
   */
  readonly chosenNll: Tensor;
}

/** Options of {@link orpoLoss}. @public */
export interface OrpoLossOptions {
  /** β ≥ 0 (the paper's λ), weight of the odds-ratio term. @defaultValue 0.1 */
  readonly beta?: number;
}

/** What {@link orpoLoss} returns: the preference metrics plus ORPO's own. @public */
export interface OrpoLossResult extends PreferenceLossResult {
  /** Scalar: mean log σ(log odds ratio) (TRL's `log_odds_ratio`). */
  readonly logOddsRatio: Tensor;
  /** Scalar: mean log odds ratio (TRL's `log_odds_chosen`). */
  readonly logOddsChosen: Tensor;
}

const FN = 'orpoLoss';

/**
 * ORPO loss: the chosen NLL plus β times the odds-ratio loss. ℓ must be < 0 (a likelihood of 1
 * has infinite odds); ℓ = 0 gives an infinite log odds.
 * @example
 * ```ts
 * const nll = crossEntropy(chosenLogits, chosenLabels).loss;
 * const { loss, logOddsRatio } = orpoLoss({ policyChosenLogps, policyRejectedLogps, chosenNll: nll });
 * ```
 * @throws LossError `SHAPE_MISMATCH` (inputs not [B], chosenNll not a scalar), `INVALID_ARGUMENT`.
 * @public
 */
export function orpoLoss(inputs: OrpoInputs, options: OrpoLossOptions = {}): OrpoLossResult {
  const v = sameLengthVectors(FN, 'inputs', inputs, ['policyChosenLogps', 'policyRejectedLogps']);
  const nll = tensorArg(FN, 'inputs.chosenNll', inputs.chosenNll, ['float32'], [0]);
  const beta = check.nonNegative(FN, 'options.beta', options.beta ?? 0.1);
  return scopeResult(() => {
    // log odds(ℓ) = ℓ − log(1 − exp ℓ) = ℓ − log(−expm1 ℓ)
    const logOdds = (l: Tensor): Tensor => ops.sub(l, ops.log(ops.neg(ops.expm1(l))));
    const logOddsChosen = ops.sub(logOdds(v.policyChosenLogps), logOdds(v.policyRejectedLogps));
    const ratio = logSigmoid(logOddsChosen);
    const loss = ops.sub(nll, ops.mul(ops.mean(ratio), beta));
    return {
      ...preferenceResult(
        loss,
        ops.mul(v.policyChosenLogps, beta),
        ops.mul(v.policyRejectedLogps, beta),
      ),
      logOddsRatio: ops.mean(ratio),
      logOddsChosen: ops.mean(logOddsChosen),
    };
  });
}
