/**
 * Exact binomial and multinomial draws from a {@link Random} stream.
 *
 * Binomial(n, p): inversion by sequential search (Kachitvichyanukul & Schmeiser, "Binomial
 * random variate generation", CACM 31(2), 1988, algorithm BINV) when n·min(p, 1−p) < 10, else
 * Hörmann's transformed rejection with squeeze, BTRS ("The generation of binomial random
 * variates", J. Statist. Comput. Simul. 46, 1993, §3), both exact. Multinomial(n, π): the
 * conditional-binomial method (each category given the draws left), so a resample of N items
 * costs one binomial draw per category instead of N uniform draws — the cheap way to bootstrap
 * data stored as counts of identical rows.
 */
import { describeValue } from './argumentChecks.js';
import { NumericError } from './errors.js';
import { check } from './internal/check.js';
import type { Random } from './random.js';

/** log(k!) for k < 256 from a table; Stirling's series with 4 terms beyond (error < 1e-15). */
const LOG_FACTORIAL_TABLE: Float64Array = (() => {
  const table = new Float64Array(256);
  for (let k = 1; k < 256; k++) table[k] = (table[k - 1] as number) + Math.log(k);
  return table;
})();
const HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);

function logFactorial(k: number): number {
  if (k < 256) return LOG_FACTORIAL_TABLE[k] as number;
  const x = k + 1;
  const inv = 1 / x;
  const inv2 = inv * inv;
  // ln Γ(x) by Stirling's series (Abramowitz & Stegun 6.1.40).
  return (
    (x - 0.5) * Math.log(x) -
    x +
    HALF_LOG_TWO_PI +
    inv * (1 / 12 - inv2 * (1 / 360 - inv2 * (1 / 1260 - inv2 / 1680)))
  );
}

/**
 * One draw from Binomial(n, p): the number of successes in n independent trials.
 *
 * @param rng - the stream to draw from.
 * @param n - trials, a safe integer ≥ 0.
 * @param p - success probability in [0, 1].
 * @example
 * ```ts
 * sampleBinomial(new Random(1), 1000, 0.3); // ≈ 300
 * ```
 * @public
 */
export function sampleBinomial(rng: Random, n: number, p: number): number {
  const fn = 'sampleBinomial';
  check.integer(fn, 'n', n, { min: 0 });
  check.probability(fn, 'p', p);
  if (n === 0 || p === 0) return 0;
  if (p === 1) return n;
  if (p > 0.5) return n - drawBinomial(rng, n, 1 - p);
  return drawBinomial(rng, n, p);
}

/** p ≤ ½, n ≥ 1, validated. */
function drawBinomial(rng: Random, n: number, p: number): number {
  const q = 1 - p;
  if (n * p < 10) {
    // BINV: walk the pmf from 0 with f(x+1) = f(x)·(a/(x+1) − s).
    const s = p / q;
    const a = (n + 1) * s;
    const start = q ** n;
    for (;;) {
      let r = start;
      let u = rng.uniform();
      let x = 0;
      while (u > r) {
        u -= r;
        x++;
        if (x > n) break;
        r *= a / x - s;
      }
      if (x <= n) return x;
    }
  }
  // BTRS.
  const spq = Math.sqrt(n * p * q);
  const b = 1.15 + 2.53 * spq;
  const a = -0.0873 + 0.0248 * b + 0.01 * p;
  const c = n * p + 0.5;
  const vr = 0.92 - 4.2 / b;
  const alpha = (2.83 + 5.1 / b) * spq;
  const lpq = Math.log(p / q);
  const m = Math.floor((n + 1) * p);
  const h = logFactorial(m) + logFactorial(n - m);
  for (;;) {
    const u = rng.uniform() - 0.5;
    let v = rng.uniform();
    const us = 0.5 - Math.abs(u);
    const k = Math.floor(((2 * a) / us + b) * u + c);
    if (k < 0 || k > n) continue;
    if (us >= 0.07 && v <= vr) return k;
    v = Math.log((v * alpha) / (a / (us * us) + b));
    if (v <= h - logFactorial(k) - logFactorial(n - k) + (k - m) * lpq) return k;
  }
}

/**
 * One draw from Multinomial(n, π) with π ∝ `weights`: how many of n items fall in each
 * category. Equivalent in distribution to drawing n items with replacement and counting them.
 *
 * @param weights - non-negative finite weights, not all 0 (normalised internally).
 * @returns counts per category, summing to n.
 * @example
 * ```ts
 * // Bootstrap a table of counts: same distribution as resampling the 60 rows one by one.
 * sampleMultinomial(new Random(7), 60, [10, 20, 30]); // e.g. Float64Array [12, 17, 31]
 * ```
 * @public
 */
export function sampleMultinomial(
  rng: Random,
  n: number,
  weights: ArrayLike<number>,
): Float64Array {
  const fn = 'sampleMultinomial';
  check.integer(fn, 'n', n, { min: 0 });
  const w = check.finiteArray(fn, 'weights', weights, 1);
  let total = 0;
  for (let i = 0; i < w.length; i++) total += check.nonNegative(fn, `weights[${i}]`, w[i]);
  if (!(total > 0)) {
    throw new NumericError({
      code: 'INVALID_ARGUMENT',
      fn,
      argument: 'weights',
      detail: `expected at least one positive weight, received total ${describeValue(total)}.`,
    });
  }
  const counts = new Float64Array(w.length);
  let left = n;
  let mass = total;
  for (let i = 0; i < w.length && left > 0; i++) {
    const wi = w[i] as number;
    if (wi === 0) continue;
    const p = i === w.length - 1 || wi >= mass ? 1 : wi / mass;
    const k = p >= 1 ? left : sampleBinomial(rng, left, p);
    counts[i] = k;
    left -= k;
    mass -= wi;
  }
  return counts;
}
