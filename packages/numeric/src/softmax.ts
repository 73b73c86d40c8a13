/**
 * Softmax and log-softmax of a vector in float64. Exponentials are taken of x − max(x), so
 * nothing overflows and ties come out exact ([100, 100] gives [0.5, 0.5]).
 */
import { NumericError } from './errors.js';
import { rejectNaN } from './internal/rejectNaN.js';

/**
 * exp(xᵢ − max) / Σⱼ exp(xⱼ − max): probabilities that sum to 1. `-Infinity` entries get
 * probability 0.
 * @example
 * ```ts
 * softmax([100, 100]); // Float64Array [0.5, 0.5]
 * ```
 * @throws NumericError `NON_FINITE` on NaN or +Infinity entries, `EMPTY_INPUT` on an empty
 * vector or one whose entries are all `-Infinity` (no distribution exists).
 * @public
 */
export function softmax(values: ArrayLike<number>): Float64Array {
  const { shifted, sum } = shiftedExponentials(values, 'softmax');
  for (let i = 0; i < shifted.length; i++) shifted[i] = Math.exp(shifted[i] as number) / sum;
  return shifted;
}

/**
 * xᵢ − log Σⱼ exp(xⱼ), the log-probabilities of {@link softmax}.
 * @throws NumericError as {@link softmax}.
 * @public
 */
export function logSoftmax(values: ArrayLike<number>): Float64Array {
  const { shifted, sum } = shiftedExponentials(values, 'logSoftmax');
  const logSum = Math.log(sum);
  for (let i = 0; i < shifted.length; i++) shifted[i] = (shifted[i] as number) - logSum;
  return shifted;
}

/** x − max(x) and Σ exp(x − max(x)) ∈ [1, n], after rejecting inputs with no distribution. */
function shiftedExponentials(
  values: ArrayLike<number>,
  fn: string,
): { shifted: Float64Array; sum: number } {
  const n = values?.length;
  if (typeof n !== 'number' || n === 0) {
    throw new NumericError({
      code: 'EMPTY_INPUT',
      fn,
      argument: 'values',
      detail: 'expected at least one value.',
    });
  }
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const x = values[i] as number;
    if (typeof x !== 'number' || Number.isNaN(x)) rejectNaN(fn, `values[${i}]`, x);
    if (x > max) max = x;
  }
  if (max === Number.NEGATIVE_INFINITY) {
    throw new NumericError({
      code: 'EMPTY_INPUT',
      fn,
      argument: 'values',
      detail:
        'every entry is -Infinity, so no distribution exists; give at least one finite logit.',
    });
  }
  if (max === Number.POSITIVE_INFINITY) {
    throw new NumericError({
      code: 'NON_FINITE',
      fn,
      argument: 'values',
      detail: 'an entry is +Infinity, so the distribution is undefined. Clip the logits first.',
    });
  }
  const shifted = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const d = (values[i] as number) - max;
    shifted[i] = d;
    sum += Math.exp(d);
  }
  return { shifted, sum };
}
