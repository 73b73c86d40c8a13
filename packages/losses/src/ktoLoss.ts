/**
 * KTO: Ethayarajh et al., "KTO: Model Alignment as Prospect Theoretic Optimization" (ICML
 * 2024), eq. 7–8, with TRL's formulas (`KTOTrainer.kto_loss`): unpaired examples, each labelled
 * desirable or undesirable, scored against a reference point z₀ = max(0, mean(π_KL − ref_KL))
 * estimated from mismatched completions and held constant (no gradient):
 *
 *   desirable:   λ_D·(1 − σ(β·(c − z₀)))      undesirable:   λ_U·(1 − σ(β·(z₀ − r)))
 *
 * with c, r the log-ratios π − ref of each completion; the loss is the mean over all examples.
 * `apo_zero_unpaired` (D'Oosterlinck et al. 2024, "Anchored Preference Optimization", eq. 7
 * unpaired) uses 1 − σ(βc) and σ(βr) with no reference point.
 */
import { ops, type Tensor } from '@llmkit/tensor-gpu';
import { LossError } from './errors.js';
import { check, oneOf } from './internal/check.js';
import { scopeResult } from './internal/scopeResult.js';
import { sameLengthVectors } from './internal/vectors.js';

/** Sequence log-probs of unpaired examples, float32 vectors. @public */
export interface KtoInputs {
  /** [Bd]: policy log-probs of the desirable completions (may be empty). */
  readonly policyChosenLogps: Tensor;
  /** [Bu]: policy log-probs of the undesirable completions (may be empty). */
  readonly policyRejectedLogps: Tensor;
  /** [Bd]: reference log-probs of the desirable completions. */
  readonly referenceChosenLogps: Tensor;
  /** [Bu]: reference log-probs of the undesirable completions. */
  readonly referenceRejectedLogps: Tensor;
  /**
   * [K]: policy log-probs of mismatched (prompt, completion) pairs for the KL reference point,
   * as TRL builds them by pairing each prompt with another example's completion. Omit (with
   * `referenceKlLogps`) to use z₀ = 0.
   */
  readonly policyKlLogps?: Tensor;
  /** [K]: reference log-probs of the same mismatched pairs. */
  readonly referenceKlLogps?: Tensor;
}

/** The losses of {@link ktoLoss}. @public */
export type KtoLossType = 'kto' | 'apo_zero_unpaired';

/** Options of {@link ktoLoss}. @public */
export interface KtoLossOptions {
  /** β > 0. @defaultValue 0.1 */
  readonly beta?: number;
  /** λ_D ≥ 0, weight of desirable examples. @defaultValue 1 */
  readonly desirableWeight?: number;
  /** λ_U ≥ 0, weight of undesirable examples. @defaultValue 1 */
  readonly undesirableWeight?: number;
  /** @defaultValue 'kto' */
  readonly lossType?: KtoLossType;
}

/** What {@link ktoLoss} returns. @public */
export interface KtoLossResult {
  /** Scalar: mean weighted loss over all examples. */
  readonly loss: Tensor;
  /** [Bd]: β·(π − ref) of each desirable completion (TRL logs their mean as `rewards/chosen`). */
  readonly chosenRewards: Tensor;
  /** [Bu]: β·(π − ref) of each undesirable completion (`rewards/rejected`). */
  readonly rejectedRewards: Tensor;
  /** Scalar: mean chosen reward − mean rejected reward (`rewards/margins`); NaN if a side is empty. */
  readonly margins: Tensor;
  /**
   * Scalar: the fraction of (desirable, undesirable) example pairs whose rewards are ordered
   * correctly, ties wrong (an AUC; TRL logs no accuracy for KTO); NaN if a side is empty.
   */
  readonly accuracy: Tensor;
  /** Scalar: the reference point z₀ (TRL's `kl`), 0 without KL inputs. */
  readonly kl: Tensor;
}

const FN = 'ktoLoss';

/**
 * KTO loss of a batch of unpaired examples. Differentiable with respect to the policy and
 * reference log-probs of the labelled completions; the KL inputs only set z₀.
 * @example
 * ```ts
 * const { loss, kl } = ktoLoss({
 *   policyChosenLogps, policyRejectedLogps, referenceChosenLogps, referenceRejectedLogps,
 *   policyKlLogps, referenceKlLogps,
 * }, { beta: 0.1, desirableWeight: 1.33 });
 * ```
 * @throws LossError `EMPTY_INPUT` (no examples at all), `SHAPE_MISMATCH`, `INVALID_ARGUMENT`.
 * @public
 */
export function ktoLoss(inputs: KtoInputs, options: KtoLossOptions = {}): KtoLossResult {
  const chosen = sameLengthVectors(
    FN,
    'inputs',
    inputs,
    ['policyChosenLogps', 'referenceChosenLogps'],
    { allowEmpty: true },
  );
  const rejected = sameLengthVectors(
    FN,
    'inputs',
    inputs,
    ['policyRejectedLogps', 'referenceRejectedLogps'],
    { allowEmpty: true },
  );
  const bd = chosen.policyChosenLogps.shape[0]!;
  const bu = rejected.policyRejectedLogps.shape[0]!;
  if (bd + bu === 0) {
    throw new LossError({
      code: 'EMPTY_INPUT',
      fn: FN,
      argument: 'inputs',
      detail: 'received no desirable and no undesirable examples.',
    });
  }
  const hasKl = inputs.policyKlLogps !== undefined || inputs.referenceKlLogps !== undefined;
  const klInputs = hasKl
    ? sameLengthVectors(FN, 'inputs', inputs, ['policyKlLogps', 'referenceKlLogps'])
    : undefined;
  const beta = check.positive(FN, 'options.beta', options.beta ?? 0.1);
  const wd = check.nonNegative(FN, 'options.desirableWeight', options.desirableWeight ?? 1);
  const wu = check.nonNegative(FN, 'options.undesirableWeight', options.undesirableWeight ?? 1);
  const lossType = oneOf(FN, 'options.lossType', options.lossType ?? 'kto', [
    'kto',
    'apo_zero_unpaired',
  ] as const);

  return scopeResult(() => {
    const kl =
      klInputs === undefined
        ? ops.scalar(0)
        : ops.stopGradient(
            ops.maximum(ops.mean(ops.sub(klInputs.policyKlLogps, klInputs.referenceKlLogps)), 0),
          );
    const c = ops.sub(chosen.policyChosenLogps, chosen.referenceChosenLogps);
    const r = ops.sub(rejected.policyRejectedLogps, rejected.referenceRejectedLogps);
    const chosenLosses =
      lossType === 'kto'
        ? ops.sub(1, ops.sigmoid(ops.mul(ops.sub(c, kl), beta)))
        : ops.sub(1, ops.sigmoid(ops.mul(c, beta)));
    const rejectedLosses =
      lossType === 'kto'
        ? ops.sub(1, ops.sigmoid(ops.mul(ops.sub(kl, r), beta)))
        : ops.sigmoid(ops.mul(r, beta));
    const loss = ops.div(
      ops.add(ops.sum(ops.mul(chosenLosses, wd)), ops.sum(ops.mul(rejectedLosses, wu))),
      bd + bu,
    );
    const chosenRewards = ops.mul(c, beta);
    const rejectedRewards = ops.mul(r, beta);
    const ordered = ops.greater(
      ops.reshape(chosenRewards, [bd, 1]),
      ops.reshape(rejectedRewards, [1, bu]),
    );
    const bothSides = bd > 0 && bu > 0;
    return {
      loss,
      chosenRewards,
      rejectedRewards,
      margins: bothSides
        ? ops.sub(ops.mean(chosenRewards), ops.mean(rejectedRewards))
        : ops.scalar(Number.NaN),
      accuracy: bothSides ? ops.mean(ops.cast(ordered, 'float32')) : ops.scalar(Number.NaN),
      kl,
    };
  });
}
