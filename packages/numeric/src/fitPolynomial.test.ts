import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fitPolynomial } from './fitPolynomial.js';

describe('fitPolynomial', () => {
  it('recovers an exact polynomial, lowest power first', () => {
    const x = [0, 1, 2, 3, 4];
    const y = x.map((v) => 1 - 2 * v + 0.5 * v * v);
    const { coefficients, residualSumOfSquares } = fitPolynomial(x, y, 2);
    expect(Array.from(coefficients).map((c) => Number(c.toFixed(12)))).toEqual([1, -2, 0.5]);
    expect(residualSumOfSquares).toBeLessThan(1e-24);
  });

  it('stays accurate for x far from zero (log-sizes of models)', () => {
    // A parabola in log N with its vertex at log(1e9), as in an isoFLOP slice.
    const x = Array.from({ length: 9 }, (_, i) => Math.log(1e8) + (i * Math.log(100)) / 8);
    const vertex = Math.log(1e9);
    const y = x.map((v) => 2.5 + 0.04 * (v - vertex) ** 2);
    const [, c1, c2] = fitPolynomial(x, y, 2).coefficients as unknown as [number, number, number];
    expect(-c1 / (2 * c2)).toBeCloseTo(vertex, 10);
    expect(c2).toBeCloseTo(0.04, 12);
  });

  it('matches the closed-form simple linear regression', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: -50, max: 50 }), fc.integer({ min: -50, max: 50 })), {
          minLength: 3,
          maxLength: 20,
        }),
        (pairs) => {
          const x = pairs.map(([a]) => a / 4);
          const y = pairs.map(([, b]) => b / 4);
          const mx = x.reduce((s, v) => s + v, 0) / x.length;
          const my = y.reduce((s, v) => s + v, 0) / y.length;
          const sxx = x.reduce((s, v) => s + (v - mx) ** 2, 0);
          fc.pre(sxx > 0);
          const sxy = x.reduce((s, v, i) => s + (v - mx) * ((y[i] as number) - my), 0);
          const [c0, c1] = fitPolynomial(x, y, 1).coefficients as unknown as [number, number];
          expect(c1).toBeCloseTo(sxy / sxx, 9);
          expect(c0).toBeCloseTo(my - (sxy / sxx) * mx, 9);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('treats an integer weight as that many copies of the point', () => {
    const x = [1, 2, 3, 4, 5];
    const y = [2.1, 3.9, 6.2, 7.8, 10.1];
    const weighted = fitPolynomial(x, y, 1, { weights: [1, 3, 1, 2, 1] });
    const copies = fitPolynomial(
      [1, 2, 2, 2, 3, 4, 4, 5],
      [2.1, 3.9, 3.9, 3.9, 6.2, 7.8, 7.8, 10.1],
      1,
    );
    expect(weighted.coefficients[0]).toBeCloseTo(copies.coefficients[0] as number, 12);
    expect(weighted.coefficients[1]).toBeCloseTo(copies.coefficients[1] as number, 12);
    expect(weighted.residualSumOfSquares).toBeCloseTo(copies.residualSumOfSquares, 12);
  });

  it('names singular and malformed input', () => {
    expect(() => fitPolynomial([1, 1, 1], [1, 2, 3], 2)).toThrow(
      /fitPolynomial\(x\): a degree-2 fit needs at least 3 distinct x values/,
    );
    expect(() => fitPolynomial([1, 2], [1, 2], 2)).toThrow(/expected at least 3 values/);
    expect(() => fitPolynomial([1, 2, 3], [1, 2], 1)).toThrow(/SHAPE|equal lengths/);
    expect(() => fitPolynomial([1, 2, 3], [1, 2, 3], 1, { weights: [1, -1, 1] })).toThrow(
      /options.weights\[1\]/,
    );
  });
});
