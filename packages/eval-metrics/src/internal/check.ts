import { type ArgumentChecks, argumentChecks, describeValue } from '@llmkit/numeric';
import { EvalMetricsError } from '../errors.js';

/** The boundary checks of `@llmkit/eval-metrics`, throwing {@link EvalMetricsError}. */
export const check: ArgumentChecks = argumentChecks((init) => new EvalMetricsError(init));

/** Throws `INVALID_ARGUMENT` from `fn(argument)` with `detail`. */
export function invalid(fn: string, argument: string, detail: string): never {
  throw new EvalMetricsError({ code: 'INVALID_ARGUMENT', fn, argument, detail });
}

/** A non-empty array, or `EMPTY_INPUT` naming what to pass. */
export function nonEmptyArray<T>(fn: string, argument: string, value: unknown): readonly T[] {
  if (!Array.isArray(value)) {
    return invalid(fn, argument, `expected an array, received ${describeValue(value)}.`);
  }
  if (value.length === 0) {
    throw new EvalMetricsError({
      code: 'EMPTY_INPUT',
      fn,
      argument,
      detail: 'expected at least one element, received an empty array.',
    });
  }
  return value as readonly T[];
}

/** A string, or `INVALID_ARGUMENT`. */
export function string(fn: string, argument: string, value: unknown): string {
  if (typeof value !== 'string') {
    return invalid(fn, argument, `expected a string, received ${describeValue(value)}.`);
  }
  return value;
}

/** Throws `ABORTED` when the signal has fired. */
export function throwIfAborted(fn: string, signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) {
    throw new EvalMetricsError({ code: 'ABORTED', fn, detail: `aborted ${what}.` });
  }
}

/** A usable nominal label: a string, boolean or finite number. */
export function isLabel(value: unknown): value is string | number | boolean {
  return (
    typeof value === 'string' ||
    typeof value === 'boolean' ||
    (typeof value === 'number' && Number.isFinite(value))
  );
}
