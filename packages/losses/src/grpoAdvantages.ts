/**
 * Group-relative advantages of GRPO (Shao et al. 2024, "DeepSeekMath", §4.1.2): each prompt is
 * answered G times and each answer's reward is compared with its group's,
 * A_i = (r_i − mean(r_group)) / (std(r_group) + 1e-4), with the unbiased standard deviation and
 * the 1e-4 of TRL's `GRPOTrainer`. `scaleRewards: 'batch'` divides by the standard deviation of
 * the whole batch instead, and `'none'` does not divide (Dr. GRPO, Liu et al. 2025, §3.1).
 */
import { ops, scope, type Tensor } from '@llmkit/tensor-gpu';
import { LossError } from './errors.js';
import { check, oneOf, shapeOf, tensorArg } from './internal/check.js';

/** Options of {@link grpoAdvantages}. @public */
export interface GrpoAdvantagesOptions {
  /** G ≥ 2: completions per prompt, stored consecutively (TRL's `num_generations`). */
  readonly groupSize: number;
  /** Which standard deviation divides the centred rewards. @defaultValue 'group' */
  readonly scaleRewards?: 'group' | 'batch' | 'none';
}

const FN = 'grpoAdvantages';

/**
 * One advantage per completion.
 * @param rewards - float32 [N·G]: the rewards of G completions of prompt 0, then of prompt 1, …
 * @example
 * ```ts
 * const advantages = grpoAdvantages(rewards, { groupSize: 8 }); // [N·8]
 * ```
 * @throws LossError `SHAPE_MISMATCH` when the length is not a multiple of G, `INVALID_ARGUMENT`.
 * @public
 */
export function grpoAdvantages(rewards: Tensor, options: GrpoAdvantagesOptions): Tensor {
  const r = tensorArg(FN, 'rewards', rewards, ['float32'], [1]);
  const g = check.integer(FN, 'options.groupSize', options?.groupSize, { min: 2 });
  const scale = oneOf(FN, 'options.scaleRewards', options.scaleRewards ?? 'group', [
    'group',
    'batch',
    'none',
  ] as const);
  const n = r.shape[0]!;
  if (n === 0 || n % g !== 0) {
    throw new LossError({
      code: 'SHAPE_MISMATCH',
      fn: FN,
      argument: 'rewards',
      detail: `expected a non-empty length that is a multiple of groupSize ${g}, received shape ${shapeOf(r.shape)}.`,
    });
  }
  return scope(() => {
    const groups = ops.reshape(r, [n / g, g]);
    const centred = ops.sub(groups, ops.mean(groups, 1, true));
    if (scale === 'none') return ops.reshape(centred, [n]);
    const std =
      scale === 'group'
        ? ops.sqrt(ops.div(ops.sum(ops.square(centred), 1, true), g - 1))
        : ops.sqrt(ops.div(ops.sum(ops.square(ops.sub(r, ops.mean(r)))), n - 1));
    return ops.reshape(ops.div(centred, ops.add(std, 1e-4)), [n]);
  });
}
