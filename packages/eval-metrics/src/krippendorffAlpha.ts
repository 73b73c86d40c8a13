/**
 * Krippendorff's alpha for nominal data with missing ratings (Krippendorff, "Computing
 * Krippendorff's Alpha-Reliability", 2011, §C): from the coincidence matrix o_ck of pairable
 * values, α = 1 − (n − 1) Σ_{c≠k} o_ck / Σ_{c≠k} n_c n_k, where units with fewer than two
 * ratings are not pairable and drop out.
 */
import type { Label } from './cohenKappa.js';
import { invalid, isLabel, nonEmptyArray } from './internal/check.js';

/**
 * @param reliabilityData - one row per rater, one column per unit; `null` marks a missing rating.
 * @example
 * ```ts
 * // Krippendorff (2011), the nominal example with four coders: α = 0.743.
 * krippendorffAlpha([
 *   [1, 2, 3, 3, 2, 1, 4, 1, 2, null, null, null],
 *   [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, null, 3],
 *   [null, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, null],
 *   [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, null],
 * ]);
 * ```
 * @throws EvalMetricsError on ragged rows, bad labels or fewer than two pairable values.
 * @public
 */
export function krippendorffAlpha(reliabilityData: readonly (readonly (Label | null)[])[]): number {
  const fn = 'krippendorffAlpha';
  const rows = nonEmptyArray<readonly (Label | null)[]>(fn, 'reliabilityData', reliabilityData);
  const units = Array.isArray(rows[0]) ? (rows[0] as readonly unknown[]).length : -1;
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    if (!Array.isArray(row) || row.length !== units) {
      invalid(
        fn,
        `reliabilityData[${r}]`,
        `expected ${units} entries (one per unit, null for missing) like row 0.`,
      );
    }
  }
  // Coincidences: within each unit, every ordered pair of values from different raters counts
  // 1/(m_u − 1).
  const coincidences = new Map<Label, Map<Label, number>>();
  const marginals = new Map<Label, number>();
  let n = 0;
  for (let u = 0; u < units; u++) {
    const values: Label[] = [];
    for (let r = 0; r < rows.length; r++) {
      const v = (rows[r] as readonly (Label | null)[])[u];
      if (v === null || v === undefined) continue;
      if (!isLabel(v)) invalid(fn, `reliabilityData[${r}][${u}]`, 'expected a label or null.');
      values.push(v);
    }
    const m = values.length;
    if (m < 2) continue;
    for (let i = 0; i < m; i++) {
      const c = values[i] as Label;
      let row = coincidences.get(c);
      if (row === undefined) {
        row = new Map();
        coincidences.set(c, row);
      }
      for (let j = 0; j < m; j++) {
        if (i === j) continue;
        const k = values[j] as Label;
        row.set(k, (row.get(k) ?? 0) + 1 / (m - 1));
      }
      marginals.set(c, (marginals.get(c) ?? 0) + 1);
    }
    n += m;
  }
  if (n < 2)
    invalid(
      fn,
      'reliabilityData',
      'no unit has two or more ratings, so agreement cannot be measured.',
    );
  let disagreement = 0;
  for (const [c, row] of coincidences) for (const [k, o] of row) if (c !== k) disagreement += o;
  let expected = 0;
  const totals = [...marginals.values()];
  let sum = 0;
  let sumSquares = 0;
  for (const t of totals) {
    sum += t;
    sumSquares += t * t;
  }
  expected = sum * sum - sumSquares; // Σ_{c≠k} n_c n_k
  return 1 - ((n - 1) * disagreement) / expected;
}
