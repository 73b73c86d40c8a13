import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { minimizeLbfgs } from './lbfgs.js';
import { log1pExp } from './log1pExp.js';
import { fitLogisticRegression } from './logisticRegression.js';

interface SklearnFixture {
  features: number[][];
  targets: number[];
  sampleWeights: number[];
  fits: { penalty: 'l1' | 'l2'; C: number; coefficients: number[]; intercept: number }[];
}
const sklearn: SklearnFixture = JSON.parse(
  readFileSync(new URL('../test/fixtures/sklearn-logistic.json', import.meta.url), 'utf8'),
);
const logit = (p: number): number => Math.log(p / (1 - p));

describe('fitLogisticRegression', () => {
  it('recovers the closed-form MLE of a binary feature: b = logit(p₀), β = logit(p₁) − logit(p₀)', () => {
    // Arrange: x = 0 has 3 successes in 10, x = 1 has 7 in 8.
    const features = [...Array(10).fill([0]), ...Array(8).fill([1])];
    const targets = [...Array(3).fill(1), ...Array(7).fill(0), ...Array(7).fill(1), 0];
    // Act
    const fit = fitLogisticRegression(features, targets);
    // Assert
    expect(fit.converged).toBe(true);
    expect(fit.intercept).toBeCloseTo(logit(3 / 10), 10);
    expect(fit.coefficients[0]).toBeCloseTo(logit(7 / 8) - logit(3 / 10), 10);
  });

  it('treats fractional targets and sample weights as replicated rows', () => {
    // y = 0.5 with weight 4 is the same likelihood as two wins and two losses.
    const weighted = fitLogisticRegression([[0], [1], [1]], [0.5, 1, 0], {
      sampleWeights: [4, 3, 1],
    });
    const replicated = fitLogisticRegression(
      [[0], [0], [0], [0], [1], [1], [1], [1]],
      [1, 1, 0, 0, 1, 1, 1, 0],
    );
    expect(weighted.intercept).toBeCloseTo(replicated.intercept, 10);
    expect(weighted.coefficients[0]).toBeCloseTo(replicated.coefficients[0] as number, 10);
    expect(weighted.intercept).toBeCloseTo(0, 10);
    expect(weighted.coefficients[0]).toBeCloseTo(Math.log(3), 10);
  });

  for (const reference of sklearn.fits) {
    it(`matches scikit-learn's ${reference.penalty} fit (C = ${reference.C}, saga, weighted)`, () => {
      const penalty =
        reference.penalty === 'l2' ? { l2: 1 / reference.C } : { l1: 1 / reference.C };
      const fit = fitLogisticRegression(sklearn.features, sklearn.targets, {
        sampleWeights: sklearn.sampleWeights,
        ...penalty,
      });
      expect(fit.converged).toBe(true);
      expect(fit.intercept).toBeCloseTo(reference.intercept, 7);
      for (const [j, c] of reference.coefficients.entries())
        expect(fit.coefficients[j]).toBeCloseTo(c, 7);
      if (reference.penalty === 'l1') expect(fit.coefficients[2]).toBe(0);
    });
  }

  it('agrees with L-BFGS on the same L2 objective (an independent method)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1000 }),
        fc.double({ min: 0.01, max: 5, noNaN: true }),
        (seed, l2) => {
          const rows = sklearn.features.slice(seed % 20, (seed % 20) + 30);
          const ys = sklearn.targets.slice(seed % 20, (seed % 20) + 30);
          const fit = fitLogisticRegression(rows, ys, { l2 });
          const objective = (theta: Float64Array): number => {
            let total = 0;
            rows.forEach((row, i) => {
              const eta =
                (theta[0] as number) + row.reduce((a, x, j) => a + x * (theta[j + 1] as number), 0);
              total += log1pExp(eta) - (ys[i] as number) * eta;
            });
            for (let j = 1; j < theta.length; j++) total += 0.5 * l2 * (theta[j] as number) ** 2;
            return total;
          };
          const reference = minimizeLbfgs(objective, [0, 0, 0, 0]);
          expect(fit.objective).toBeLessThanOrEqual(reference.value + 1e-9);
          expect(fit.intercept).toBeCloseTo(reference.x[0] as number, 4);
        },
      ),
      { numRuns: 15 },
    );
  });

  it('leaves coefficients with penalty factor 0 unpenalised', () => {
    const free = fitLogisticRegression(sklearn.features, sklearn.targets, {
      l2: 1e6,
      penaltyFactors: [0, 1, 1],
    });
    expect(Math.abs(free.coefficients[0] as number)).toBeGreaterThan(0.5);
    expect(Math.abs(free.coefficients[1] as number)).toBeLessThan(1e-3);
  });

  it('reports maxIterations on separable data without a penalty', () => {
    const fit = fitLogisticRegression([[-1], [1]], [0, 1], { maxIterations: 20 });
    expect(fit.converged).toBe(false);
    expect(['maxIterations', 'stalled']).toContain(fit.reason);
  });

  it('names the argument at fault', () => {
    expect(() => fitLogisticRegression([], [])).toThrow(/features.*non-empty/);
    expect(() => fitLogisticRegression([[0]], [2])).toThrow(
      /targets\[0\]\): expected a probability/,
    );
    expect(() => fitLogisticRegression([[0], [1, 2]], [0, 1])).toThrow(/features\[1\]/);
    expect(() => fitLogisticRegression([[0]], [1], { l1: -1 })).toThrow(/options.l1/);
    expect(() => fitLogisticRegression([[Number.NaN]], [1])).toThrow(/NaN/);
    expect(() => fitLogisticRegression([[0]], [1], { sampleWeights: [0] })).toThrow(
      /all sample weights are 0/,
    );
  });
});
