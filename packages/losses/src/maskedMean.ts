/**
 * The mean over the positions a mask keeps, TRL's `masked_mean` (`trl/trainer/utils.py`): how
 * per-token quantities (losses, KL, entropy) become one number per batch or per sequence.
 */
import { ops, scope, type Tensor } from '@llmkit/tensor-gpu';
import { check, maskArg, shapeOf, tensorArg } from './internal/check.js';

/** Options of {@link maskedMean}. @public */
export interface MaskedMeanOptions {
  /** Reduce only this axis (e.g. 1 for one mean per sequence) instead of all of them. */
  readonly axis?: number;
}

const FN = 'maskedMean';

/**
 * Σ values·mask / Σ mask, over everything or along `axis`. Where the mask keeps nothing the
 * result is 0 (TRL divides 0 by 0). Differentiable with respect to `values`.
 * @param values - float32 of any shape
 * @param mask - bool (or int32 0/1) of the same shape
 * @example
 * ```ts
 * const meanKl = maskedMean(perTokenKl(logps, refLogps), completionMask);
 * ```
 * @public
 */
export function maskedMean(values: Tensor, mask: Tensor, options: MaskedMeanOptions = {}): Tensor {
  const v = tensorArg(FN, 'values', values, ['float32'], 'any');
  const axis =
    options.axis === undefined
      ? undefined
      : check.integer(FN, 'options.axis', options.axis, { min: 0, max: Math.max(v.rank - 1, 0) });
  return scope(() => {
    const m = maskArg(FN, 'mask', mask, v.shape, `the shape of values ${shapeOf(v.shape)}`);
    return ops.div(ops.sum(ops.mul(v, m), axis), ops.maximum(ops.sum(m, axis), 1));
  });
}
