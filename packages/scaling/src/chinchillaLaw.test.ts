import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chinchillaBesiroglu2024, chinchillaHoffmann2022, predictLoss } from './chinchillaLaw.js';

describe('predictLoss', () => {
  it('evaluates E + A/N^α + B/D^β', () => {
    // Chinchilla (70B, 1.4T) under Hoffmann et al.'s eq. 10: 1.69 + 406.4/70e9^0.34 + 410.7/1.4e12^0.28.
    const expected = 1.69 + 406.4 * 70e9 ** -0.34 + 410.7 * 1.4e12 ** -0.28;
    expect(predictLoss(chinchillaHoffmann2022, { params: 70e9, tokens: 1.4e12 })).toBe(expected);
    expect(expected).toBeCloseTo(1.937, 3);
  });

  it('decreases in N and in D towards E', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1e6, max: 1e12, noNaN: true }),
        fc.double({ min: 1e8, max: 1e14, noNaN: true }),
        fc.double({ min: 1.01, max: 100, noNaN: true }),
        (params, tokens, k) => {
          for (const law of [chinchillaHoffmann2022, chinchillaBesiroglu2024]) {
            const base = predictLoss(law, { params, tokens });
            expect(predictLoss(law, { params: k * params, tokens })).toBeLessThan(base);
            expect(predictLoss(law, { params, tokens: k * tokens })).toBeLessThan(base);
            expect(base).toBeGreaterThan(law.E);
          }
        },
      ),
    );
  });

  it('names a malformed law', () => {
    expect(() =>
      predictLoss({ ...chinchillaHoffmann2022, alpha: -0.3 }, { params: 1e9, tokens: 1e10 }),
    ).toThrow(/predictLoss\(law.alpha\): expected a number > 0/);
  });
});
