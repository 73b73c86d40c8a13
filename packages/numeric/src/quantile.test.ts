import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type QuantileMethod, quantile, quantiles } from './quantile.js';

interface NumpyFixture {
  numpy: string;
  cases: { values: number[]; method: QuantileMethod; qs: number[]; expected: number[] }[];
}
const numpy: NumpyFixture = JSON.parse(
  readFileSync(new URL('../test/fixtures/numpy-quantiles.json', import.meta.url), 'utf8'),
);

describe('quantile', () => {
  it("reproduces numpy's documented examples", () => {
    // numpy.quantile docs: a = [[10, 7, 4], [3, 2, 1]]; np.quantile(a, 0.5) → 3.5,
    // np.quantile(a, 0.5, axis=0) → [6.5, 4.5, 2.5], axis=1 → [7., 2.].
    expect(quantile([10, 7, 4, 3, 2, 1], 0.5)).toBe(3.5);
    expect(
      [
        [10, 3],
        [7, 2],
        [4, 1],
      ].map((column) => quantile(column, 0.5)),
    ).toEqual([6.5, 4.5, 2.5]);
    expect(
      [
        [10, 7, 4],
        [3, 2, 1],
      ].map((row) => quantile(row, 0.5)),
    ).toEqual([7, 2]);
  });

  it(`matches numpy.quantile bit for bit for every method (${numpy.cases.length} cases)`, () => {
    for (const { values, method, qs, expected } of numpy.cases) {
      expect(
        Array.from(quantiles(values, qs, { method })),
        `${method} of ${values.length} values`,
      ).toEqual(expected);
    }
  });

  it('is monotone in q and bounded by min and max', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e9, max: 1e9, noNaN: true }), { minLength: 1, maxLength: 40 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (xs, a, b) => {
          const [lo, hi] = a <= b ? [a, b] : [b, a];
          expect(quantile(xs, lo)).toBeLessThanOrEqual(quantile(xs, hi));
          // === rather than Object.is: numpy's lerp also turns −0 into +0.
          expect(quantile(xs, 0) === Math.min(...xs)).toBe(true);
          expect(quantile(xs, 1) === Math.max(...xs)).toBe(true);
        },
      ),
    );
  });

  it('does not modify its input', () => {
    const xs = [3, 1, 2];
    quantile(xs, 0.5);
    expect(xs).toEqual([3, 1, 2]);
  });

  it('names bad arguments', () => {
    expect(() => quantile([], 0.5)).toThrow(/quantile\(values\): expected at least 1 value/);
    expect(() => quantile([1], 1.5)).toThrow(
      /quantile\(q\): expected a probability in \[0, 1\], received 1.5/,
    );
    expect(() => quantiles([1], [0.5, -1])).toThrow(/quantiles\(qs\[1\]\)/);
    expect(() => quantile([1], 0.5, { method: 'cubic' as QuantileMethod })).toThrow(
      /unknown method "cubic"/,
    );
    expect(() => quantile([1, Number.NaN], 0.5)).toThrow(/values\[1\]/);
  });
});
