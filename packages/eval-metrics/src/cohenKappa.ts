/**
 * Agreement between two raters on nominal labels: raw agreement and Cohen's kappa
 * (Cohen, "A coefficient of agreement for nominal scales", 1960), κ = (pₒ − pₑ) / (1 − pₑ) with
 * pₑ from each rater's own label frequencies — scikit-learn's `cohen_kappa_score` (unweighted).
 */
import { check, invalid, isLabel, nonEmptyArray } from './internal/check.js';

/** A nominal label: compared with `===` (after JSON-like normalisation of numbers). @public */
export type Label = string | number | boolean;

/** Fraction of items on which two raters gave the same label. @public */
export function rawAgreement(a: readonly Label[], b: readonly Label[]): number {
  const [x, y] = paired('rawAgreement', a, b);
  let same = 0;
  for (let i = 0; i < x.length; i++) if (x[i] === y[i]) same++;
  return same / x.length;
}

/**
 * Cohen's kappa of two raters. NaN when chance agreement is 1 (both raters used one and the
 * same label throughout), as scikit-learn returns.
 *
 * @example
 * ```ts
 * cohenKappa(['y', 'y', 'n', 'n'], ['y', 'n', 'n', 'n']); // 0.5
 * ```
 * @public
 */
export function cohenKappa(a: readonly Label[], b: readonly Label[]): number {
  const [x, y] = paired('cohenKappa', a, b);
  const n = x.length;
  const countA = new Map<Label, number>();
  const countB = new Map<Label, number>();
  let same = 0;
  for (let i = 0; i < n; i++) {
    const u = x[i] as Label;
    const v = y[i] as Label;
    countA.set(u, (countA.get(u) ?? 0) + 1);
    countB.set(v, (countB.get(v) ?? 0) + 1);
    if (u === v) same++;
  }
  let expected = 0;
  for (const [label, ca] of countA) expected += (ca / n) * ((countB.get(label) ?? 0) / n);
  const observed = same / n;
  return (observed - expected) / (1 - expected);
}

function paired(
  fn: string,
  a: readonly Label[],
  b: readonly Label[],
): [readonly Label[], readonly Label[]] {
  const x = nonEmptyArray<Label>(fn, 'a', a);
  const y = nonEmptyArray<Label>(fn, 'b', b);
  check.sameLength(fn, 'a', x.length, 'b', y.length);
  for (const [name, list] of [
    ['a', x],
    ['b', y],
  ] as const) {
    for (let i = 0; i < list.length; i++) {
      const v = list[i];
      if (!isLabel(v))
        invalid(fn, `${name}[${i}]`, 'expected a string, finite number or boolean label.');
    }
  }
  return [x, y];
}

/** A usable nominal label. */
