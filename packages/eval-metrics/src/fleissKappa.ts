/**
 * Fleiss' kappa for a fixed number of raters per subject (Fleiss, "Measuring nominal scale
 * agreement among many raters", 1971): κ = (P̄ − P̄ₑ) / (1 − P̄ₑ) with P̄ the mean per-subject
 * agreement Σⱼ nᵢⱼ(nᵢⱼ − 1) / (n(n − 1)) and P̄ₑ = Σⱼ pⱼ² — statsmodels' `fleiss_kappa`
 * (`method='fleiss'`).
 */
import type { Label } from './cohenKappa.js';
import { invalid, isLabel, nonEmptyArray } from './internal/check.js';

/**
 * @param ratings - one list of labels per subject, every list the same length n ≥ 2.
 * @example
 * ```ts
 * fleissKappa([['a', 'a', 'b'], ['b', 'b', 'b'], ['a', 'a', 'a']]); // 0.55
 * ```
 * @public
 */
export function fleissKappa(ratings: readonly (readonly Label[])[]): number {
  const fn = 'fleissKappa';
  const subjects = nonEmptyArray<readonly Label[]>(fn, 'ratings', ratings);
  const raters = Array.isArray(subjects[0]) ? (subjects[0] as readonly Label[]).length : -1;
  if (raters < 2) invalid(fn, 'ratings[0]', 'expected at least two ratings per subject.');
  const totals = new Map<Label, number>();
  let agreement = 0;
  for (let s = 0; s < subjects.length; s++) {
    const row = subjects[s];
    if (!Array.isArray(row) || row.length !== raters) {
      invalid(
        fn,
        `ratings[${s}]`,
        `expected ${raters} ratings like ratings[0]; Fleiss' kappa needs the same number of raters per subject (use krippendorffAlpha for missing ratings).`,
      );
    }
    const counts = new Map<Label, number>();
    for (let r = 0; r < raters; r++) {
      const v = row[r];
      if (!isLabel(v))
        invalid(fn, `ratings[${s}][${r}]`, 'expected a string, finite number or boolean label.');
      counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    let pairs = 0;
    for (const [label, c] of counts) {
      pairs += c * (c - 1);
      totals.set(label, (totals.get(label) ?? 0) + c);
    }
    agreement += pairs / (raters * (raters - 1));
  }
  const pBar = agreement / subjects.length;
  const all = subjects.length * raters;
  let pe = 0;
  for (const c of totals.values()) pe += (c / all) ** 2;
  return (pBar - pe) / (1 - pe);
}
