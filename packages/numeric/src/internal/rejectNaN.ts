import { describeValue } from '../argumentChecks.js';
import { NumericError } from '../errors.js';

/** Throws the error for a NaN or non-number where a number (possibly infinite) was expected. */
export function rejectNaN(fn: string, argument: string, value: unknown): never {
  const isNumber = typeof value === 'number';
  throw new NumericError({
    code: isNumber ? 'NON_FINITE' : 'INVALID_ARGUMENT',
    fn,
    argument,
    detail: isNumber
      ? 'received NaN. Find where the NaN was produced upstream; ±Infinity is accepted.'
      : `expected a number, received ${describeValue(value)}.`,
  });
}
