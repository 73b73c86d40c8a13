/**
 * Direct Preference Optimization and the pairwise losses Hugging Face TRL offers under
 * `DPOConfig.loss_type`, with TRL's formulas (`trl/trainer/dpo_trainer.py`, `DPOTrainer.dpo_loss`)
 * and its logged metrics. Inputs are sequence log-probs (see {@link sequenceLogProbs}) of the
 * chosen and rejected completions under the policy and a frozen reference.
 *
 * With h = (π_c − π_r) − (ref_c − ref_r), ε = labelSmoothing and β the temperature:
 *
 * | lossType | per-pair loss | source |
 * | --- | --- | --- |
 * | `sigmoid` | −(1−ε)·logσ(βh) − ε·logσ(−βh) | Rafailov et al. 2023, DPO eq. 7; ε: Mitchell 2023, "A note on DPO with noisy preferences" (cDPO) |
 * | `robust` | [−(1−ε)·logσ(βh) + ε·logσ(−βh)] / (1 − 2ε) | Chowdhury et al. 2024, "Provably Robust DPO", eq. 8 |
 * | `exo_pair` | σ(βh)·(logσ(βh) − log(1−ε)) + σ(−βh)·(logσ(−βh) − log ε), ε = 1e-3 when 0 | Ji et al. 2024, "Towards Efficient Exact Optimization", eq. 16 |
 * | `hinge` | max(0, 1 − βh) | Zhao et al. 2023, SLiC-HF, eq. 2 (TRL's form) |
 * | `ipo` | (h − 1/(2β))² (pass length-averaged log-probs, as TRL does) | Azar et al. 2023, "A General Theoretical Paradigm", eq. 17 |
 * | `bco_pair` | −logσ(β·c − δ) − logσ(−(β·r − δ)), δ a reward mean (below) | Jung et al. 2024, "Binary Classifier Optimization" |
 * | `sppo_hard` | (c − 1/(2β))² + (r + 1/(2β))² | Wu et al. 2024, "Self-Play Preference Optimization", eq. 4.7 with hard P |
 * | `nca_pair` | −logσ(βc) − ½·logσ(−βc) − ½·logσ(−βr) | Chen et al. 2024, "Noise Contrastive Alignment" |
 * | `aot_pair` | the `sigmoid` loss of δ = sort(c) − sort(r) | Melnyk et al. 2024, "Distributional Preference Alignment via Optimal Transport" |
 * | `aot` | the `sigmoid` loss of δ = sort(π_c − π_r) − sort(ref_c − ref_r) | same |
 * | `apo_zero` | 1 − σ(βc) + σ(βr) | D'Oosterlinck et al. 2024, "Anchored Preference Optimization", eq. 7 |
 * | `apo_down` | σ(βc) + 1 − σ(β(c − r)) | same, eq. 8 |
 * | `discopop` | (1 − w)·(−logσ(βh)) + w·exp(−βh), w = σ(βh/τ) | Chris Lu et al. 2024, "Discovering Preference Optimization Algorithms", eq. 5 |
 *
 * where c = π_c − ref_c and r = π_r − ref_r are the log-ratios of each completion. The loss is
 * the batch mean. Not here: TRL's f-divergence variants, `reference_free`, RPO's NLL term (add
 * a {@link crossEntropy} yourself) and WPO weights.
 */
import { ops, type Tensor } from '@llmkit/tensor-gpu';
import { LossError } from './errors.js';
import { check, oneOf } from './internal/check.js';
import { logSigmoid } from './internal/logSigmoid.js';
import { preferenceResult } from './internal/preferenceResult.js';
import { scopeResult } from './internal/scopeResult.js';
import { sortAscending } from './internal/sortAscending.js';
import { sameLengthVectors } from './internal/vectors.js';

/** The preference losses of {@link dpoLoss} (TRL's `loss_type` names). @public */
export type DpoLossType =
  | 'sigmoid'
  | 'robust'
  | 'exo_pair'
  | 'hinge'
  | 'ipo'
  | 'bco_pair'
  | 'sppo_hard'
  | 'nca_pair'
  | 'aot_pair'
  | 'aot'
  | 'apo_zero'
  | 'apo_down'
  | 'discopop';

/** Every {@link DpoLossType}, in TRL's documentation order. @public */
export const DPO_LOSS_TYPES: readonly DpoLossType[] = [
  'sigmoid',
  'robust',
  'exo_pair',
  'hinge',
  'ipo',
  'bco_pair',
  'sppo_hard',
  'nca_pair',
  'aot_pair',
  'aot',
  'apo_zero',
  'apo_down',
  'discopop',
];

/** Sequence log-probs of a batch of preference pairs, each float32 [B]. @public */
export interface DpoInputs {
  readonly policyChosenLogps: Tensor;
  readonly policyRejectedLogps: Tensor;
  readonly referenceChosenLogps: Tensor;
  readonly referenceRejectedLogps: Tensor;
}

/** Options of {@link dpoLoss}. @public */
export interface DpoLossOptions {
  /**
   * β > 0: the inverse temperature (strength of the implicit KL constraint); for `ipo` the
   * regulariser τ.
   * @defaultValue 0.1
   */
  readonly beta?: number;
  /** @defaultValue 'sigmoid' */
  readonly lossType?: DpoLossType;
  /**
   * ε: the assumed probability that a preference label is flipped (`sigmoid`, `robust` (< 0.5),
   * `aot`, `aot_pair`), or EXO's ε (`exo_pair`, where 0 means 1e-3 as in TRL).
   * @defaultValue 0
   */
  readonly labelSmoothing?: number;
  /** τ of `discopop`. @defaultValue 0.05 (TRL's `discopop_tau`) */
  readonly discopopTau?: number;
  /**
   * δ of `bco_pair`: TRL keeps a running mean of the rewards of all past batches (its
   * `RunningMoments`); pass that mean here to reproduce it across steps (numeric's
   * `RunningMoments` computes one). When omitted, the mean of this batch's chosen and rejected
   * rewards is used (what TRL uses on its first step), as a constant without gradient.
   */
  readonly bcoDelta?: number;
}

/** What the preference losses return: the loss and what TRL logs. @public */
export interface PreferenceLossResult {
  /** Scalar: the mean loss over the batch. */
  readonly loss: Tensor;
  /** [B]: the implicit reward of each chosen completion (TRL's `rewards/chosen` is their mean). */
  readonly chosenRewards: Tensor;
  /** [B]: the implicit reward of each rejected completion (`rewards/rejected`). */
  readonly rejectedRewards: Tensor;
  /** [B]: chosenRewards − rejectedRewards (`rewards/margins` is their mean). */
  readonly margins: Tensor;
  /** Scalar: the fraction of pairs with chosen reward > rejected reward; ties count as wrong. */
  readonly accuracy: Tensor;
}

const FN = 'dpoLoss';
const NAMES = [
  'policyChosenLogps',
  'policyRejectedLogps',
  'referenceChosenLogps',
  'referenceRejectedLogps',
] as const;

/**
 * The DPO-family loss of a batch of preference pairs, with the rewards TRL logs: chosen and
 * rejected rewards are β·(π − ref) of each completion for every loss type. Differentiable with
 * respect to all four inputs (the policy's are the ones to train).
 *
 * @example
 * ```ts
 * const { loss, margins, accuracy } = dpoLoss(
 *   { policyChosenLogps, policyRejectedLogps, referenceChosenLogps, referenceRejectedLogps },
 *   { beta: 0.1, lossType: 'sigmoid' },
 * );
 * ```
 * @throws LossError `SHAPE_MISMATCH` (inputs not all [B]), `INVALID_ARGUMENT` (β ≤ 0, unknown
 *   loss type, labelSmoothing ≥ 0.5 for `robust`).
 * @public
 */
export function dpoLoss(inputs: DpoInputs, options: DpoLossOptions = {}): PreferenceLossResult {
  const v = sameLengthVectors(FN, 'inputs', inputs, NAMES);
  const beta = check.positive(FN, 'options.beta', options.beta ?? 0.1);
  const lossType = oneOf(FN, 'options.lossType', options.lossType ?? 'sigmoid', DPO_LOSS_TYPES);
  const smoothing = check.probability(FN, 'options.labelSmoothing', options.labelSmoothing ?? 0);
  if (lossType === 'robust' && smoothing >= 0.5) {
    throw new LossError({
      code: 'INVALID_ARGUMENT',
      fn: FN,
      argument: 'options.labelSmoothing',
      detail: `the robust loss divides by 1 − 2ε and needs ε < 0.5, received ${smoothing}.`,
    });
  }
  const tau = check.positive(FN, 'options.discopopTau', options.discopopTau ?? 0.05);
  const delta =
    options.bcoDelta === undefined
      ? undefined
      : check.finite(FN, 'options.bcoDelta', options.bcoDelta);

  return scopeResult(() => {
    const chosenRatio = ops.sub(v.policyChosenLogps, v.referenceChosenLogps); // c
    const rejectedRatio = ops.sub(v.policyRejectedLogps, v.referenceRejectedLogps); // r
    const h = ops.sub(chosenRatio, rejectedRatio); // (π_c − π_r) − (ref_c − ref_r)
    const smoothed = (d: Tensor): Tensor =>
      ops.sub(
        ops.mul(logSigmoid(ops.mul(d, beta)), -(1 - smoothing)),
        ops.mul(logSigmoid(ops.mul(d, -beta)), smoothing),
      );
    let losses: Tensor;
    switch (lossType) {
      case 'sigmoid':
        losses = smoothed(h);
        break;
      case 'robust':
        losses = ops.div(
          ops.add(
            ops.mul(logSigmoid(ops.mul(h, beta)), -(1 - smoothing)),
            ops.mul(logSigmoid(ops.mul(h, -beta)), smoothing),
          ),
          1 - 2 * smoothing,
        );
        break;
      case 'exo_pair': {
        const eps = smoothing === 0 ? 1e-3 : smoothing;
        const bh = ops.mul(h, beta);
        const nbh = ops.neg(bh);
        losses = ops.add(
          ops.mul(ops.sigmoid(bh), ops.sub(logSigmoid(bh), Math.log(1 - eps))),
          ops.mul(ops.sigmoid(nbh), ops.sub(logSigmoid(nbh), Math.log(eps))),
        );
        break;
      }
      case 'hinge':
        losses = ops.relu(ops.sub(1, ops.mul(h, beta)));
        break;
      case 'ipo':
        losses = ops.square(ops.sub(h, 1 / (2 * beta)));
        break;
      case 'bco_pair': {
        const chosen = ops.mul(chosenRatio, beta);
        const rejected = ops.mul(rejectedRatio, beta);
        const d =
          delta === undefined ? ops.stopGradient(ops.mean(ops.concat([chosen, rejected]))) : delta;
        losses = ops.neg(
          ops.add(logSigmoid(ops.sub(chosen, d)), logSigmoid(ops.neg(ops.sub(rejected, d)))),
        );
        break;
      }
      case 'sppo_hard':
        losses = ops.add(
          ops.square(ops.sub(chosenRatio, 0.5 / beta)),
          ops.square(ops.add(rejectedRatio, 0.5 / beta)),
        );
        break;
      case 'nca_pair': {
        const chosen = ops.mul(chosenRatio, beta);
        const rejected = ops.mul(rejectedRatio, beta);
        losses = ops.neg(
          ops.add(
            logSigmoid(chosen),
            ops.mul(ops.add(logSigmoid(ops.neg(chosen)), logSigmoid(ops.neg(rejected))), 0.5),
          ),
        );
        break;
      }
      case 'aot_pair':
        losses = smoothed(ops.sub(sortAscending(chosenRatio), sortAscending(rejectedRatio)));
        break;
      case 'aot': {
        const policy = ops.sub(v.policyChosenLogps, v.policyRejectedLogps);
        const reference = ops.sub(v.referenceChosenLogps, v.referenceRejectedLogps);
        losses = smoothed(ops.sub(sortAscending(policy), sortAscending(reference)));
        break;
      }
      case 'apo_zero':
        losses = ops.add(
          ops.sub(1, ops.sigmoid(ops.mul(chosenRatio, beta))),
          ops.sigmoid(ops.mul(rejectedRatio, beta)),
        );
        break;
      case 'apo_down':
        losses = ops.add(
          ops.sigmoid(ops.mul(chosenRatio, beta)),
          ops.sub(1, ops.sigmoid(ops.mul(h, beta))),
        );
        break;
      case 'discopop': {
        const bh = ops.mul(h, beta);
        const w = ops.sigmoid(ops.div(bh, tau));
        losses = ops.add(
          ops.mul(ops.neg(logSigmoid(bh)), ops.sub(1, w)),
          ops.mul(ops.exp(ops.neg(bh)), w),
        );
        break;
      }
    }
    return preferenceResult(
      ops.mean(losses),
      ops.mul(chosenRatio, beta),
      ops.mul(rejectedRatio, beta),
    );
  });
}
