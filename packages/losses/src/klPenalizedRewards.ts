/**
 * The per-token reward of RLHF with PPO (Ziegler et al. 2019, "Fine-Tuning Language Models
 * from Human Preferences", eq. 2; Ouyang et al. 2022): −β·KL at every completion token, plus the
 * reward model's score of the whole completion at its last token, as TRL's `PPOTrainer` builds
 * `rewards` before GAE.
 *
 * One deviation, on purpose: TRL adds the score at the position after the last non-padding
 * token when that exists (its value mask keeps one extra position); here it goes on the last
 * position the mask keeps.
 */
import { ops, scope, type Tensor } from '@llmkit/tensor-gpu';
import { LossError } from './errors.js';
import { check, readMask, sameShape, shapeOf, tensorArg } from './internal/check.js';

/** Options of {@link klPenalizedRewards}. @public */
export interface KlPenalizedRewardsOptions {
  /** β ≥ 0, the KL penalty coefficient (TRL's `kl_coef`). @defaultValue 0.05 */
  readonly klCoef?: number;
}

const FN = 'klPenalizedRewards';

/**
 * Rewards [B, T] = −β·kl·mask, with `scores[b]` added at the last kept position of row b.
 * @param scores - float32 [B], the reward model's score of each completion
 * @param kl - float32 [B, T], per-token KL estimates ({@link perTokenKl})
 * @param mask - bool (or int32 0/1) [B, T], the completion tokens; every row needs one
 * @example
 * ```ts
 * const rewards = klPenalizedRewards(scores, perTokenKl(logps, refLogps), mask, { klCoef: 0.05 });
 * const { advantages, returns } = gae(rewards, values, mask);
 * ```
 * @throws LossError `EMPTY_INPUT` for a row the mask leaves empty, `SHAPE_MISMATCH`.
 * @public
 */
export function klPenalizedRewards(
  scores: Tensor,
  kl: Tensor,
  mask: Tensor,
  options: KlPenalizedRewardsOptions = {},
): Tensor {
  const k = tensorArg(FN, 'kl', kl, ['float32'], [2]);
  const [b, t] = k.shape as [number, number];
  const why = `one score per row of kl ${shapeOf(k.shape)}`;
  const s = tensorArg(FN, 'scores', scores, ['float32'], [1]);
  sameShape(FN, 'scores', s, [b], why);
  const m = tensorArg(FN, 'mask', mask, ['bool', 'int32'], [2]);
  sameShape(FN, 'mask', m, [b, t], `the shape of kl ${shapeOf(k.shape)}`);
  const klCoef = check.nonNegative(FN, 'options.klCoef', options.klCoef ?? 0.05);
  const kept = readMask(FN, 'mask', m);
  const last = new Float32Array(b * t);
  for (let row = 0; row < b; row++) {
    let pos = t - 1;
    while (pos >= 0 && kept[row * t + pos] === 0) pos--;
    if (pos < 0) {
      throw new LossError({
        code: 'EMPTY_INPUT',
        fn: FN,
        argument: 'mask',
        detail: `row ${row} of mask ${shapeOf(m.shape)} keeps no position, so its score has nowhere to go.`,
      });
    }
    last[row * t + pos] = 1;
  }
  return scope(() => {
    const penalty = ops.mul(ops.mul(k, ops.cast(m, 'float32')), -klCoef);
    return ops.add(penalty, ops.mul(ops.tensor2d(last, [b, t]), ops.reshape(s, [b, 1])));
  });
}
