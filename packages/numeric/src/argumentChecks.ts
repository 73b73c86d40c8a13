/**
 * Boundary checks shared by the packages that stand on `numeric`.
 *
 * Each check returns the value it accepted (narrowed) or throws the caller's own error class
 * with a message naming the function, the argument, the value received and the fix. Packages
 * build their checker once: `const check = argumentChecks((init) => new ScalingError(init))`.
 */
import type { LlmkitError, LlmkitErrorInit } from './errors.js';

/** Builds a package's error from the fields of a failed check. @public */
export type ErrorFactory = (init: LlmkitErrorInit) => LlmkitError;

/** Bounds for {@link ArgumentChecks.integer}. @public */
export interface IntegerBounds {
  /** Smallest accepted value. @defaultValue `Number.MIN_SAFE_INTEGER` */
  readonly min?: number;
  /** Largest accepted value. @defaultValue `Number.MAX_SAFE_INTEGER` */
  readonly max?: number;
}

/** Validators bound to one package's error class. @public */
export interface ArgumentChecks {
  /** A finite number (not NaN, not ±Infinity). */
  finite(fn: string, argument: string, value: unknown): number;
  /** A finite number > 0. */
  positive(fn: string, argument: string, value: unknown): number;
  /** A finite number ≥ 0. */
  nonNegative(fn: string, argument: string, value: unknown): number;
  /** A number in [0, 1]. */
  probability(fn: string, argument: string, value: unknown): number;
  /** A safe integer within optional bounds. */
  integer(fn: string, argument: string, value: unknown, bounds?: IntegerBounds): number;
  /** An array or typed array of finite numbers with at least `minLength` elements. */
  finiteArray(fn: string, argument: string, value: unknown, minLength?: number): ArrayLike<number>;
  /** Throws unless two lengths agree. */
  sameLength(
    fn: string,
    argumentA: string,
    lengthA: number,
    argumentB: string,
    lengthB: number,
  ): void;
}

const MAX_SHOWN_CHARS = 40;

/**
 * A short, safe description of any value for an error message: numbers as written (`NaN`,
 * `-Infinity`), strings quoted and truncated, arrays by type and length.
 * @public
 */
export function describeValue(value: unknown): string {
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (typeof value === 'string') {
    const shown = value.length > MAX_SHOWN_CHARS ? `${value.slice(0, MAX_SHOWN_CHARS)}…` : value;
    return JSON.stringify(shown);
  }
  if (value === null || value === undefined || typeof value === 'boolean') return String(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) {
    const length = 'length' in value ? (value as { length: number }).length : value.byteLength;
    return `a ${value.constructor.name} of length ${length}`;
  }
  if (typeof value === 'function') return 'a function';
  return `an object (${Object.prototype.toString.call(value).slice(8, -1)})`;
}

/** Creates the validators of a package around its error factory. @public */
export function argumentChecks(makeError: ErrorFactory): ArgumentChecks {
  const fail = (
    code: LlmkitErrorInit['code'],
    fn: string,
    argument: string,
    detail: string,
  ): never => {
    throw makeError({ code, fn, argument, detail });
  };

  const finite = (fn: string, argument: string, value: unknown): number => {
    if (typeof value !== 'number') {
      return fail(
        'INVALID_ARGUMENT',
        fn,
        argument,
        `expected a number, received ${describeValue(value)}.`,
      );
    }
    if (!Number.isFinite(value)) {
      return fail(
        'NON_FINITE',
        fn,
        argument,
        `expected a finite number, received ${describeValue(value)}. Remove or repair the non-finite value before calling.`,
      );
    }
    return value;
  };

  return {
    finite,
    positive(fn, argument, value) {
      const x = finite(fn, argument, value);
      if (x <= 0) {
        fail(
          'INVALID_ARGUMENT',
          fn,
          argument,
          `expected a number > 0, received ${describeValue(x)}.`,
        );
      }
      return x;
    },
    nonNegative(fn, argument, value) {
      const x = finite(fn, argument, value);
      if (x < 0) {
        fail(
          'INVALID_ARGUMENT',
          fn,
          argument,
          `expected a number ≥ 0, received ${describeValue(x)}.`,
        );
      }
      return x;
    },
    probability(fn, argument, value) {
      const x = finite(fn, argument, value);
      if (x < 0 || x > 1) {
        fail(
          'INVALID_ARGUMENT',
          fn,
          argument,
          `expected a probability in [0, 1], received ${describeValue(x)}.`,
        );
      }
      return x;
    },
    integer(fn, argument, value, bounds = {}) {
      const x = finite(fn, argument, value);
      const min = bounds.min ?? Number.MIN_SAFE_INTEGER;
      const max = bounds.max ?? Number.MAX_SAFE_INTEGER;
      if (!Number.isInteger(x) || x < min || x > max) {
        const range =
          bounds.max === undefined ? `an integer ≥ ${min}` : `an integer in [${min}, ${max}]`;
        fail('INVALID_ARGUMENT', fn, argument, `expected ${range}, received ${describeValue(x)}.`);
      }
      return x;
    },
    finiteArray(fn, argument, value, minLength = 0) {
      const isArrayLike =
        Array.isArray(value) || (ArrayBuffer.isView(value) && !(value instanceof DataView));
      if (!isArrayLike) {
        return fail(
          'INVALID_ARGUMENT',
          fn,
          argument,
          `expected an array of numbers, received ${describeValue(value)}.`,
        );
      }
      const values = value as ArrayLike<unknown>;
      if (values.length < minLength) {
        fail(
          'EMPTY_INPUT',
          fn,
          argument,
          `expected at least ${minLength} value${minLength === 1 ? '' : 's'}, received ${values.length}.`,
        );
      }
      for (let i = 0; i < values.length; i++) {
        const x = values[i];
        if (typeof x !== 'number' || !Number.isFinite(x)) {
          fail(
            typeof x === 'number' ? 'NON_FINITE' : 'INVALID_ARGUMENT',
            fn,
            `${argument}[${i}]`,
            `expected a finite number, received ${describeValue(x)}.`,
          );
        }
      }
      return values as ArrayLike<number>;
    },
    sameLength(fn, argumentA, lengthA, argumentB, lengthB) {
      if (lengthA !== lengthB) {
        fail(
          'SHAPE_MISMATCH',
          fn,
          `${argumentA}, ${argumentB}`,
          `expected equal lengths, received ${lengthA} and ${lengthB}. Pass one ${argumentB} entry per ${argumentA} entry.`,
        );
      }
    },
  };
}
