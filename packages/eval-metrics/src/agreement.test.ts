import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fixture } from '../test/fixtures.js';
import { brierScore, expectedCalibrationError } from './calibration.js';
import { cohenKappa, rawAgreement } from './cohenKappa.js';
import { fleissKappa } from './fleissKappa.js';
import { judgeHumanAgreement } from './judgeAgreement.js';
import { krippendorffAlpha } from './krippendorffAlpha.js';

interface AgreementFixture {
  cohen: { a: string[]; b: string[]; kappa: number }[];
  fleiss: { ratings: number[][]; kappa: number }[];
  brierBinary: { probabilities: number[]; outcomes: number[]; brier: number };
}
const golden = fixture<AgreementFixture>('agreement.json');

describe('cohenKappa and rawAgreement', () => {
  it.each(golden.cohen)(
    'matches scikit-learn cohen_kappa_score (n = $a.length)',
    ({ a, b, kappa }) => {
      expect(cohenKappa(a, b)).toBeCloseTo(kappa, 14);
    },
  );

  it('gives the textbook values', () => {
    expect(cohenKappa(['y', 'y', 'n', 'n'], ['y', 'n', 'n', 'n'])).toBeCloseTo(0.5, 15);
    expect(rawAgreement(['y', 'y', 'n', 'n'], ['y', 'n', 'n', 'n'])).toBe(0.75);
    expect(cohenKappa(['x', 'x'], ['x', 'x'])).toBeNaN(); // chance agreement 1, as scikit-learn
  });

  it('is 1 for identical raters and symmetric in its arguments (properties)', () => {
    const labels = fc.array(fc.constantFrom('a', 'b', 'c', 1, true), {
      minLength: 2,
      maxLength: 50,
    });
    fc.assert(
      fc.property(labels, labels, (x, y) => {
        if (new Set(x).size >= 2) expect(cohenKappa(x, x)).toBeCloseTo(1, 14);
        const n = Math.min(x.length, y.length);
        const k1 = cohenKappa(x.slice(0, n), y.slice(0, n));
        const k2 = cohenKappa(y.slice(0, n), x.slice(0, n));
        if (!Number.isNaN(k1)) expect(k2).toBeCloseTo(k1, 12);
      }),
    );
  });

  it('rejects mismatched lengths and bad labels', () => {
    expect(() => cohenKappa(['a'], ['a', 'b'])).toThrow(/equal lengths/);
    expect(() => cohenKappa([Number.NaN], ['a'])).toThrow(/a\[0\]/);
    expect(() => rawAgreement([], [])).toThrow(/at least one/);
  });
});

describe('fleissKappa', () => {
  it.each(golden.fleiss)(
    'matches statsmodels fleiss_kappa ($ratings.length subjects)',
    ({ ratings, kappa }) => {
      expect(fleissKappa(ratings)).toBeCloseTo(kappa, 13);
    },
  );

  it("reproduces Fleiss' worked example on Wikipedia (κ = 0.210)", () => {
    // 10 subjects, 14 raters, 5 categories: counts per category.
    const table = [
      [0, 0, 0, 0, 14],
      [0, 2, 6, 4, 2],
      [0, 0, 3, 5, 6],
      [0, 3, 9, 2, 0],
      [2, 2, 8, 1, 1],
      [7, 7, 0, 0, 0],
      [3, 2, 6, 3, 0],
      [2, 5, 3, 2, 2],
      [6, 5, 2, 1, 0],
      [0, 2, 2, 3, 7],
    ];
    const ratings = table.map((row) =>
      row.flatMap((count, category) => Array(count).fill(category)),
    );
    expect(fleissKappa(ratings)).toBeCloseTo(0.21, 3);
  });

  it('is 1 when every subject gets unanimous ratings over several categories, and rejects ragged rows', () => {
    expect(
      fleissKappa([
        ['a', 'a'],
        ['b', 'b'],
        ['a', 'a'],
      ]),
    ).toBeCloseTo(1, 15);
    expect(() => fleissKappa([['a', 'b'], ['a']])).toThrow(/same number of raters/);
  });
});

describe('krippendorffAlpha', () => {
  it("reproduces Krippendorff's (2011) nominal example, α = 0.743", () => {
    const data = [
      [1, 2, 3, 3, 2, 1, 4, 1, 2, null, null, null],
      [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, null, 3],
      [null, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, null],
      [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, null],
    ];
    expect(krippendorffAlpha(data)).toBeCloseTo(0.743, 3);
  });

  it('equals Fleiss-style agreement limits: 1 for identical raters, and refuses unpairable data', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('a', 'b', 'c'), { minLength: 2, maxLength: 30 }),
        (row) => {
          if (new Set(row).size >= 2) expect(krippendorffAlpha([row, row, row])).toBeCloseTo(1, 14);
        },
      ),
    );
    expect(() =>
      krippendorffAlpha([
        ['a', null],
        [null, 'b'],
      ]),
    ).toThrow(/two or more ratings/);
    expect(() => krippendorffAlpha([['a', 'b'], ['a']])).toThrow(/one per unit/);
  });
});

describe('judgeHumanAgreement', () => {
  it('reports agreement with and without ties as MT-Bench does', () => {
    const r = judgeHumanAgreement(
      ['model_a', 'tie', 'model_b', 'model_a'],
      ['model_a', 'model_a', 'model_a', 'tie'],
    );
    expect(r.withTies).toBe(0.25);
    expect(r.withoutTies).toBe(0.5);
    expect(r.comparisonsWithoutTies).toBe(2);
    expect(() => judgeHumanAgreement(['A' as never], ['model_a'])).toThrow(/judge\[0\]/);
  });
});

describe('calibration', () => {
  it('computes ECE by hand on a small example', () => {
    // Bins of width 0.5: {0.2, 0.4} with 1 of 2 correct, {0.9, 1.0} with 2 of 2 correct.
    const r = expectedCalibrationError([0.2, 0.4, 0.9, 1], [1, 0, true, true], { bins: 2 });
    expect(r.ece).toBeCloseTo(0.5 * Math.abs(0.5 - 0.3) + 0.5 * Math.abs(1 - 0.95), 15);
    expect(r.bins[0]?.count).toBe(2);
    expect(r.mce).toBeCloseTo(0.2, 15);
    expect(expectedCalibrationError([0], [0]).bins[0]?.count).toBe(1);
  });

  it('matches scikit-learn brier_score_loss and the harness multi-class Brier score', () => {
    const { probabilities, outcomes, brier } = golden.brierBinary;
    expect(brierScore(probabilities, outcomes)).toBeCloseTo(brier, 15);
    expect(brierScore([[0.7, 0.2, 0.1]], [0])).toBeCloseTo(0.09 + 0.04 + 0.01, 15);
    expect(() => brierScore([0.5], [2])).toThrow(/0 or 1/);
    expect(() => brierScore([[0.5, 0.5]], [2])).toThrow(/outcomes\[0\]/);
  });
});
