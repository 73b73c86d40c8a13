/**
 * Streaming means, variances and covariance of paired values (x, y), mergeable by the pairwise
 * co-moment update of Chan, Golub & LeVeque ("Algorithms for computing the sample variance",
 * 1983) in its bivariate form (Pébay, "Formulas for robust, one-pass parallel computation of
 * covariances and arbitrary-order statistical moments", Sandia report SAND2008-6212, eq. 3.12).
 * Ratio estimators ΣY/ΣX and their delta-method standard errors are built on it.
 */
import { NumericError } from './errors.js';
import { check } from './internal/check.js';

/** A serialisable snapshot of {@link RunningCovariance}. @public */
export interface CovarianceState {
  readonly count: number;
  readonly meanX: number;
  readonly meanY: number;
  /** Σ(x − x̄)². */
  readonly comomentXX: number;
  /** Σ(y − ȳ)². */
  readonly comomentYY: number;
  /** Σ(x − x̄)(y − ȳ). */
  readonly comomentXY: number;
}

/**
 * Count, means, variances and covariance of a stream of pairs in O(1) memory; shards merge
 * exactly as one pass would (up to rounding).
 *
 * @example
 * ```ts
 * const c = new RunningCovariance().add(1, 2).add(2, 4).add(3, 6);
 * c.covariance; // 2, numpy.cov([1, 2, 3], [2, 4, 6])[0, 1]
 * ```
 * @public
 */
export class RunningCovariance {
  private n = 0;
  private mx = 0;
  private my = 0;
  private cxx = 0;
  private cyy = 0;
  private cxy = 0;

  /** Restores an accumulator from {@link RunningCovariance.toJSON}. */
  static fromJSON(state: CovarianceState): RunningCovariance {
    const fn = 'RunningCovariance.fromJSON';
    const c = new RunningCovariance();
    c.n = check.integer(fn, 'state.count', state?.count, { min: 0 });
    if (c.n > 0) {
      c.mx = check.finite(fn, 'state.meanX', state.meanX);
      c.my = check.finite(fn, 'state.meanY', state.meanY);
      c.cxx = check.nonNegative(fn, 'state.comomentXX', state.comomentXX);
      c.cyy = check.nonNegative(fn, 'state.comomentYY', state.comomentYY);
      c.cxy = check.finite(fn, 'state.comomentXY', state.comomentXY);
    }
    return c;
  }

  /** Adds one finite pair. Returns `this` for chaining. */
  add(x: number, y: number): this {
    check.finite('RunningCovariance.add', 'x', x);
    check.finite('RunningCovariance.add', 'y', y);
    this.n++;
    const dx = x - this.mx;
    const dy = y - this.my;
    this.mx += dx / this.n;
    this.my += dy / this.n;
    this.cxx += dx * (x - this.mx);
    this.cyy += dy * (y - this.my);
    this.cxy += dx * (y - this.my);
    return this;
  }

  /** Folds another accumulator into this one. */
  merge(other: RunningCovariance): this {
    if (!(other instanceof RunningCovariance)) {
      throw new NumericError({
        code: 'INVALID_ARGUMENT',
        fn: 'RunningCovariance.merge',
        argument: 'other',
        detail:
          'expected a RunningCovariance; restore serialised state with RunningCovariance.fromJSON().',
      });
    }
    if (other.n === 0) return this;
    if (this.n === 0) {
      Object.assign(this, {
        n: other.n,
        mx: other.mx,
        my: other.my,
        cxx: other.cxx,
        cyy: other.cyy,
        cxy: other.cxy,
      });
      return this;
    }
    const n = this.n + other.n;
    const dx = other.mx - this.mx;
    const dy = other.my - this.my;
    const f = (this.n * other.n) / n;
    this.cxx += other.cxx + dx * dx * f;
    this.cyy += other.cyy + dy * dy * f;
    this.cxy += other.cxy + dx * dy * f;
    this.mx += (dx * other.n) / n;
    this.my += (dy * other.n) / n;
    this.n = n;
    return this;
  }

  /** Number of pairs added. */
  get count(): number {
    return this.n;
  }

  /** Mean of x (NaN when empty). */
  get meanX(): number {
    return this.n === 0 ? Number.NaN : this.mx;
  }

  /** Mean of y (NaN when empty). */
  get meanY(): number {
    return this.n === 0 ? Number.NaN : this.my;
  }

  /** Sample variance of x, n − 1 denominator (NaN below 2 pairs). */
  get varianceX(): number {
    return this.n < 2 ? Number.NaN : this.cxx / (this.n - 1);
  }

  /** Sample variance of y, n − 1 denominator (NaN below 2 pairs). */
  get varianceY(): number {
    return this.n < 2 ? Number.NaN : this.cyy / (this.n - 1);
  }

  /** Sample covariance, n − 1 denominator, as `numpy.cov` (NaN below 2 pairs). */
  get covariance(): number {
    return this.n < 2 ? Number.NaN : this.cxy / (this.n - 1);
  }

  /**
   * Standard error of the ratio estimator R = ȳ / x̄ = Σy / Σx by the delta method (Cochran,
   * "Sampling Techniques", 3rd ed., 1977, eq. 6.9 with the sample variance of y − Rx):
   * SE = √(Σ(yᵢ − R xᵢ)² / (n − 1) / n) / |x̄|. NaN below 2 pairs or when x̄ = 0.
   */
  get ratioStandardError(): number {
    if (this.n < 2 || this.mx === 0) return Number.NaN;
    const r = this.my / this.mx;
    // y − Rx has mean 0, so its sum of squares is the co-moment combination below.
    const residual = Math.max(this.cyy - 2 * r * this.cxy + r * r * this.cxx, 0);
    return Math.sqrt(residual / (this.n - 1) / this.n) / Math.abs(this.mx);
  }

  /** A plain snapshot for sending to another worker or storing. */
  toJSON(): CovarianceState {
    return {
      count: this.n,
      meanX: this.mx,
      meanY: this.my,
      comomentXX: this.cxx,
      comomentYY: this.cyy,
      comomentXY: this.cxy,
    };
  }
}
