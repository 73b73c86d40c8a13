/** The package's argument validators, throwing {@link TensorError}. */
import { type ArgumentChecks, argumentChecks, describeValue } from '@llmkit/numeric';
import { TensorError } from '../errors.js';

export const check: ArgumentChecks = argumentChecks((init) => new TensorError(init));

/** A moment decay rate β ∈ [0, 1). */
export function checkBeta(fn: string, argument: string, value: unknown): number {
  const x = check.finite(fn, argument, value);
  if (x < 0 || x >= 1) {
    throw new TensorError({
      code: 'INVALID_ARGUMENT',
      fn,
      argument,
      detail: `expected a decay rate in [0, 1), received ${describeValue(x)}.`,
    });
  }
  return x;
}
