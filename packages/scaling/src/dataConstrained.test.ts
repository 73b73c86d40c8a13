import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scipyReference } from '../test/reference.js';
import { computeOptimal } from './computeOptimal.js';
import {
  chinchillaMuennighoff2023,
  dataConstrainedLoss,
  dataConstrainedOptimal,
  effectiveParams,
  effectiveTokens,
  muennighoff2023Repetition,
} from './dataConstrained.js';

const reference = scipyReference.dataConstrained;

describe('effectiveTokens', () => {
  it('follows eq. 5 of Muennighoff et al. (2023)', () => {
    // 4 epochs of 100B: D′ = U + U·R*·(1 − e^(−3/R*)) with R* = 15.387756.
    const rStar = 15.387756;
    expect(effectiveTokens({ tokens: 4e11, uniqueTokens: 1e11 })).toBeCloseTo(
      1e11 * (1 + rStar * (1 - Math.exp(-3 / rStar))),
      -2,
    );
    // "Up to 4 epochs, repeated data is almost as good as new": 3.73 fresh epochs' worth of 4.
    expect(effectiveTokens({ tokens: 4e11, uniqueTokens: 1e11 }) / 4e11).toBeCloseTo(0.931, 3);
    // One pass, or less, loses nothing.
    expect(effectiveTokens({ tokens: 1e11, uniqueTokens: 1e11 })).toBe(1e11);
    expect(effectiveTokens({ tokens: 5e10, uniqueTokens: 1e11 })).toBe(5e10);
  });

  it('grows with repetition but never beyond U·(1 + R*_D)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1, max: 1e4, noNaN: true }),
        fc.double({ min: 1.01, max: 3, noNaN: true }),
        (epochs, k) => {
          const U = 1e10;
          const d = effectiveTokens({ tokens: epochs * U, uniqueTokens: U });
          expect(d).toBeLessThanOrEqual(epochs * U * (1 + 1e-12));
          expect(d).toBeLessThanOrEqual(U * (1 + muennighoff2023Repetition.data));
          expect(
            effectiveTokens({ tokens: k * epochs * U, uniqueTokens: U }),
          ).toBeGreaterThanOrEqual(d);
        },
      ),
    );
  });
});

describe('effectiveParams and dataConstrainedLoss', () => {
  it('discounts parameters beyond the compute-optimal size for the unique data', () => {
    const law = chinchillaMuennighoff2023;
    const U = 1e10;
    const needed = effectiveParams(law, { params: 1e6, uniqueTokens: U });
    expect(needed).toBe(1e6);
    const big = effectiveParams(law, { params: 1e12, uniqueTokens: U });
    expect(big).toBeLessThan(1e12);
    const run = dataConstrainedLoss(law, { params: 1e9, tokens: 1e11, uniqueTokens: 1e10 });
    expect(run.epochs).toBe(10);
    expect(run.loss).toBeCloseTo(
      law.E + law.A * run.effectiveParams ** -law.alpha + law.B * run.effectiveTokens ** -law.beta,
      14,
    );
  });

  it('reduces to the Chinchilla law with plenty of unique data', () => {
    const law = chinchillaMuennighoff2023;
    const run = dataConstrainedLoss(law, { params: 1e9, tokens: 2e10, uniqueTokens: 1e13 });
    expect(run.loss).toBeCloseTo(law.E + law.A * 1e9 ** -law.alpha + law.B * 2e10 ** -law.beta, 12);
  });
});

describe('dataConstrainedOptimal', () => {
  it('matches scipy’s bounded minimisation of the data-constrained loss', () => {
    for (const expected of reference) {
      const run = dataConstrainedOptimal(
        chinchillaMuennighoff2023,
        expected.flops,
        expected.uniqueTokens,
      );
      expect(run.loss).toBeCloseTo(expected.loss, 7);
      expect(run.params / expected.params - 1).toBeCloseTo(0, 2);
      expect((6 * run.params * run.tokens) / expected.flops).toBeCloseTo(1, 12);
    }
  });

  it('never does better than the unconstrained optimum, and equals it with enough data', () => {
    const law = chinchillaMuennighoff2023;
    const tight = dataConstrainedOptimal(law, 1e23, 1e10);
    expect(tight.loss).toBeGreaterThan(tight.unconstrained.loss);
    expect(tight.epochs).toBeGreaterThan(1);
    const ample = dataConstrainedOptimal(law, 1e21, 1e13);
    expect(ample.loss).toBeCloseTo(computeOptimal(law, 1e21).loss, 8);
    expect(() => dataConstrainedOptimal(law, 1e23, 10)).toThrow(
      /uniqueTokens\): expected a raw count of tokens/,
    );
  });
});
