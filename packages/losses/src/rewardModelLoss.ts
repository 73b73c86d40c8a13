/**
 * The Bradley–Terry loss of reward-model training (Ouyang et al. 2022, InstructGPT, eq. 1) as
 * TRL's `RewardTrainer.compute_loss`: −mean log σ(r_c − r_r − m) with an optional per-pair
 * margin m (Llama 2, Touvron et al. 2023, §3.2.2), plus the reward-centering term
 * c·mean((r_c + r_r)²) of Eisenstein et al. 2023 ("Helping or Herding?", §3) that TRL exposes
 * as `center_rewards_coefficient`.
 */
import { ops, type Tensor } from '@llmkit/tensor-gpu';
import { check } from './internal/check.js';
import { logSigmoid } from './internal/logSigmoid.js';
import { scopeResult } from './internal/scopeResult.js';
import { sameLengthVectors } from './internal/vectors.js';

/** Options of {@link rewardModelLoss}. @public */
export interface RewardModelLossOptions {
  /**
   * The margin by which each chosen reward should beat its rejected one: a number for every
   * pair, or a float32 [B] tensor (e.g. from preference strength ratings).
   * @defaultValue 0
   */
  readonly margin?: number | Tensor;
  /**
   * c ≥ 0, weight of the centering term that pulls the rewards' mean toward 0 (TRL suggests
   * 0.01).
   * @defaultValue 0
   */
  readonly centerRewardsCoefficient?: number;
}

/** What {@link rewardModelLoss} returns. @public */
export interface RewardModelLossResult {
  /** Scalar loss. */
  readonly loss: Tensor;
  /** Scalar: fraction of pairs with r_c > r_r (ties wrong), TRL's `accuracy`. */
  readonly accuracy: Tensor;
  /** [B]: r_c − r_r. */
  readonly margins: Tensor;
}

const FN = 'rewardModelLoss';

/**
 * Pairwise reward-model loss and accuracy. Differentiable with respect to both reward vectors.
 * @param chosenRewards - float32 [B], the model's scalar reward of each chosen completion
 * @param rejectedRewards - float32 [B], of each rejected completion
 * @example
 * ```ts
 * const { loss, accuracy } = rewardModelLoss(chosen, rejected, { centerRewardsCoefficient: 0.01 });
 * ```
 * @throws LossError `SHAPE_MISMATCH`, `INVALID_ARGUMENT`.
 * @public
 */
export function rewardModelLoss(
  chosenRewards: Tensor,
  rejectedRewards: Tensor,
  options: RewardModelLossOptions = {},
): RewardModelLossResult {
  const v = sameLengthVectors(FN, '', { chosenRewards, rejectedRewards }, [
    'chosenRewards',
    'rejectedRewards',
  ]);
  const margin = options.margin ?? 0;
  const m =
    typeof margin === 'number'
      ? check.finite(FN, 'options.margin', margin)
      : sameLengthVectors(FN, 'options', { margin }, ['margin'], {
          length: v.chosenRewards.shape[0]!,
        }).margin;
  const center = check.nonNegative(
    FN,
    'options.centerRewardsCoefficient',
    options.centerRewardsCoefficient ?? 0,
  );
  return scopeResult(() => {
    const margins = ops.sub(v.chosenRewards, v.rejectedRewards);
    let loss = ops.neg(ops.mean(logSigmoid(ops.sub(margins, m))));
    if (center > 0) {
      loss = ops.add(
        loss,
        ops.mul(ops.mean(ops.square(ops.add(v.chosenRewards, v.rejectedRewards))), center),
      );
    }
    const accuracy = ops.mean(ops.cast(ops.greater(margins, 0), 'float32'));
    return { loss, accuracy, margins };
  });
}
