/**
 * Calibration of predicted probabilities: expected calibration error with equal-width bins
 * (Naeini, Cooper & Hauskrecht 2015; Guo et al., "On Calibration of Modern Neural Networks",
 * 2017, eq. 3: ECE = Σ_b (|B_b| / n) |acc(B_b) − conf(B_b)|, bins (i/B, (i+1)/B] with 0 in the
 * first), and the Brier score (Brier 1950): mean squared error of a binary probability
 * (scikit-learn's `brier_score_loss`), or for class distributions Σ_k (p_k − 1[k = gold])²
 * averaged over items (lm-evaluation-harness's `brier_score`).
 */
import { check, invalid, nonEmptyArray } from './internal/check.js';

/** One bin of a reliability diagram. @public */
export interface CalibrationBin {
  readonly lower: number;
  readonly upper: number;
  readonly count: number;
  /** Mean confidence in the bin (NaN when empty). */
  readonly confidence: number;
  /** Fraction correct in the bin (NaN when empty). */
  readonly accuracy: number;
}

/** Expected calibration error and its reliability diagram. @public */
export interface CalibrationResult {
  readonly ece: number;
  /** Largest |accuracy − confidence| over non-empty bins. */
  readonly mce: number;
  readonly bins: readonly CalibrationBin[];
}

/**
 * @param confidences - predicted probability that each prediction is correct, in [0, 1].
 * @param correct - whether it was.
 * @param options.bins - equal-width bins. @defaultValue 15 (Guo et al.)
 * @public
 */
export function expectedCalibrationError(
  confidences: readonly number[],
  correct: readonly (boolean | 0 | 1)[],
  options: { readonly bins?: number } = {},
): CalibrationResult {
  const fn = 'expectedCalibrationError';
  const conf = nonEmptyArray<number>(fn, 'confidences', confidences);
  const hits = nonEmptyArray<boolean | 0 | 1>(fn, 'correct', correct);
  check.sameLength(fn, 'confidences', conf.length, 'correct', hits.length);
  const b = check.integer(fn, 'options.bins', options.bins ?? 15, { min: 1 });
  const count = new Float64Array(b);
  const sumConf = new Float64Array(b);
  const sumHit = new Float64Array(b);
  for (let i = 0; i < conf.length; i++) {
    const c = check.probability(fn, `confidences[${i}]`, conf[i]);
    const h = hits[i];
    if (h !== true && h !== false && h !== 0 && h !== 1)
      invalid(fn, `correct[${i}]`, 'expected a boolean, 0 or 1.');
    const bin = Math.min(Math.max(Math.ceil(c * b) - 1, 0), b - 1);
    count[bin] = (count[bin] as number) + 1;
    sumConf[bin] = (sumConf[bin] as number) + c;
    sumHit[bin] = (sumHit[bin] as number) + (h ? 1 : 0);
  }
  let ece = 0;
  let mce = 0;
  const bins: CalibrationBin[] = [];
  for (let k = 0; k < b; k++) {
    const n = count[k] as number;
    const confidence = n === 0 ? Number.NaN : (sumConf[k] as number) / n;
    const accuracy = n === 0 ? Number.NaN : (sumHit[k] as number) / n;
    if (n > 0) {
      const gap = Math.abs(accuracy - confidence);
      ece += (n / conf.length) * gap;
      mce = Math.max(mce, gap);
    }
    bins.push({ lower: k / b, upper: (k + 1) / b, count: n, confidence, accuracy });
  }
  return { ece, mce, bins };
}

/**
 * Brier score: `probabilities[i]` is P(outcome i = 1) with `outcomes[i]` in {0, 1}, or a
 * distribution over classes with `outcomes[i]` the gold class index.
 * @example
 * ```ts
 * brierScore([0.9, 0.2], [1, 0]); // 0.025
 * brierScore([[0.7, 0.2, 0.1]], [0]); // 0.14
 * ```
 * @public
 */
export function brierScore(
  probabilities: readonly number[] | readonly (readonly number[])[],
  outcomes: readonly number[],
): number {
  const fn = 'brierScore';
  const ps = nonEmptyArray<number | readonly number[]>(fn, 'probabilities', probabilities);
  const ys = nonEmptyArray<number>(fn, 'outcomes', outcomes);
  check.sameLength(fn, 'probabilities', ps.length, 'outcomes', ys.length);
  let total = 0;
  for (let i = 0; i < ps.length; i++) {
    const p = ps[i];
    if (Array.isArray(p)) {
      const row = check.finiteArray(fn, `probabilities[${i}]`, p, 2);
      const gold = check.integer(fn, `outcomes[${i}]`, ys[i], { min: 0, max: row.length - 1 });
      for (let k = 0; k < row.length; k++) {
        const pk = check.probability(fn, `probabilities[${i}][${k}]`, row[k]);
        total += (pk - (k === gold ? 1 : 0)) ** 2;
      }
    } else {
      const pi = check.probability(fn, `probabilities[${i}]`, p);
      const y = ys[i];
      if (y !== 0 && y !== 1)
        invalid(fn, `outcomes[${i}]`, 'expected 0 or 1 for a binary probability.');
      total += (pi - y) ** 2;
    }
  }
  return total / ps.length;
}
