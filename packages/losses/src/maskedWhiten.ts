/**
 * Whitening over the positions a mask keeps, TRL's `masked_whiten` (`trl/trainer/utils.py`):
 * (x − mean)/sqrt(var + 1e-8) with the mean and the unbiased (Bessel-corrected) variance taken
 * over all kept positions of the batch together, as PPO normalises advantages (and, with
 * `shiftMean: false`, rewards).
 */
import { hostValues, ops, scope, type Tensor } from '@llmkit/tensor-gpu';
import { LossError } from './errors.js';
import { maskArg, shapeOf, tensorArg } from './internal/check.js';

/** Options of {@link maskedWhiten}. @public */
export interface MaskedWhitenOptions {
  /**
   * Subtract the mean (true), or add it back after scaling, keeping the values' mean (false,
   * TRL's `shift_mean=False` for rewards).
   * @defaultValue true
   */
  readonly shiftMean?: boolean;
}

const FN = 'maskedWhiten';

/**
 * Whitened values, 0 outside the mask (TRL fills those with 0 right after whitening).
 * Differentiable with respect to `values`.
 * @param values - float32 of any shape
 * @param mask - bool (or int32 0/1) of the same shape, keeping at least two positions
 * @throws LossError `EMPTY_INPUT` when the mask keeps fewer than two positions (no variance);
 *   on WebGPU, where the count stays on the device, such a mask gives NaN instead.
 * @public
 */
export function maskedWhiten(
  values: Tensor,
  mask: Tensor,
  options: MaskedWhitenOptions = {},
): Tensor {
  const v = tensorArg(FN, 'values', values, ['float32'], 'any');
  const shiftMean = options.shiftMean ?? true;
  return scope(() => {
    const m = maskArg(FN, 'mask', mask, v.shape, `the shape of values ${shapeOf(v.shape)}`);
    const count = ops.sum(m);
    const kept = hostValues(count)?.[0] ?? 2; // on WebGPU, unchecked: fewer than 2 gives NaN
    if (kept < 2) {
      throw new LossError({
        code: 'EMPTY_INPUT',
        fn: FN,
        argument: 'mask',
        detail: `the mask ${shapeOf(v.shape)} keeps ${kept} position(s); whitening needs at least 2.`,
      });
    }
    const mean = ops.div(ops.sum(ops.mul(v, m)), count);
    const centred = ops.sub(v, mean);
    const variance = ops.div(ops.sum(ops.mul(ops.square(centred), m)), ops.sub(count, 1));
    let out = ops.mul(centred, ops.rsqrt(ops.add(variance, 1e-8)));
    if (!shiftMean) out = ops.add(out, mean);
    return ops.mul(out, m);
  });
}
