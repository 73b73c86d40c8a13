/**
 * Streaming mean and variance by Welford's algorithm (Welford 1962), mergeable by the
 * pairwise update of Chan, Golub & LeVeque ("Algorithms for computing the sample variance",
 * 1983), so shards computed on different workers combine exactly as one pass would.
 */
import { NumericError } from './errors.js';
import { check } from './internal/check.js';

/** A serialisable snapshot of {@link RunningMoments}. @public */
export interface MomentsState {
  readonly count: number;
  readonly mean: number;
  /** Σ(x − mean)², Welford's M2. */
  readonly sumSquaredDeviations: number;
  readonly min: number;
  readonly max: number;
}

/**
 * Count, mean, variance, standard error, min and max of a stream of numbers, in O(1) memory.
 *
 * @example
 * ```ts
 * const a = new RunningMoments().addAll([1, 2, 3]);
 * const b = new RunningMoments().addAll([4, 5]);
 * a.merge(b).mean; // 3, as if all five had been added to one accumulator
 * ```
 * @public
 */
export class RunningMoments {
  private n = 0;
  private m = 0;
  private m2 = 0;
  private lo = Number.POSITIVE_INFINITY;
  private hi = Number.NEGATIVE_INFINITY;

  /** Restores an accumulator from {@link RunningMoments.toJSON}. */
  static fromJSON(state: MomentsState): RunningMoments {
    const fn = 'RunningMoments.fromJSON';
    const moments = new RunningMoments();
    moments.n = check.integer(fn, 'state.count', state?.count, { min: 0 });
    if (moments.n > 0) {
      moments.m = check.finite(fn, 'state.mean', state.mean);
      moments.m2 = check.nonNegative(fn, 'state.sumSquaredDeviations', state.sumSquaredDeviations);
      moments.lo = check.finite(fn, 'state.min', state.min);
      moments.hi = check.finite(fn, 'state.max', state.max);
    }
    return moments;
  }

  /** Adds one finite value. Returns `this` for chaining. */
  add(value: number): this {
    check.finite('RunningMoments.add', 'value', value);
    this.n++;
    const delta = value - this.m;
    this.m += delta / this.n;
    this.m2 += delta * (value - this.m);
    if (value < this.lo) this.lo = value;
    if (value > this.hi) this.hi = value;
    return this;
  }

  /** Adds every value of an array or iterable. */
  addAll(values: Iterable<number>): this {
    for (const value of values) this.add(value);
    return this;
  }

  /** Folds another accumulator into this one (exactly as if its values were added here). */
  merge(other: RunningMoments): this {
    if (!(other instanceof RunningMoments)) {
      throw new NumericError({
        code: 'INVALID_ARGUMENT',
        fn: 'RunningMoments.merge',
        argument: 'other',
        detail:
          'expected a RunningMoments; restore serialised state with RunningMoments.fromJSON().',
      });
    }
    if (other.n === 0) return this;
    if (this.n === 0) {
      Object.assign(this, { n: other.n, m: other.m, m2: other.m2, lo: other.lo, hi: other.hi });
      return this;
    }
    const n = this.n + other.n;
    const delta = other.m - this.m;
    this.m += (delta * other.n) / n;
    this.m2 += other.m2 + (delta * delta * this.n * other.n) / n;
    this.n = n;
    this.lo = Math.min(this.lo, other.lo);
    this.hi = Math.max(this.hi, other.hi);
    return this;
  }

  /** Number of values added. */
  get count(): number {
    return this.n;
  }

  /** Arithmetic mean (NaN when empty). */
  get mean(): number {
    return this.n === 0 ? Number.NaN : this.m;
  }

  /** Sample variance with Bessel's correction, Σ(x − x̄)² / (n − 1) (NaN below 2 values). */
  get variance(): number {
    return this.n < 2 ? Number.NaN : this.m2 / (this.n - 1);
  }

  /** Population variance Σ(x − x̄)² / n (NaN when empty). */
  get populationVariance(): number {
    return this.n === 0 ? Number.NaN : this.m2 / this.n;
  }

  /** Sample standard deviation. */
  get standardDeviation(): number {
    return Math.sqrt(this.variance);
  }

  /** Standard error of the mean, s / √n. */
  get standardError(): number {
    return Math.sqrt(this.variance / this.n);
  }

  /** Smallest value (NaN when empty). */
  get min(): number {
    return this.n === 0 ? Number.NaN : this.lo;
  }

  /** Largest value (NaN when empty). */
  get max(): number {
    return this.n === 0 ? Number.NaN : this.hi;
  }

  /** A plain snapshot for sending to another worker or storing. */
  toJSON(): MomentsState {
    return {
      count: this.n,
      mean: this.m,
      sumSquaredDeviations: this.m2,
      min: this.lo,
      max: this.hi,
    };
  }
}

/**
 * Arithmetic mean of finite values.
 * @throws NumericError `EMPTY_INPUT` on an empty array, `NON_FINITE` on NaN/±Infinity.
 * @public
 */
export function mean(values: ArrayLike<number>): number {
  const xs = check.finiteArray('mean', 'values', values, 1);
  return momentsOf(xs).mean;
}

/**
 * Sample variance (n − 1 denominator, as numpy's `var(ddof=1)`), computed by Welford's method.
 * @throws NumericError `EMPTY_INPUT` with fewer than 2 values.
 * @public
 */
export function variance(values: ArrayLike<number>): number {
  const xs = check.finiteArray('variance', 'values', values, 2);
  return momentsOf(xs).variance;
}

function momentsOf(values: ArrayLike<number>): RunningMoments {
  const moments = new RunningMoments();
  for (let i = 0; i < values.length; i++) moments.add(values[i] as number);
  return moments;
}
