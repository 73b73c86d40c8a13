import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chinchillaBesiroglu2024, chinchillaHoffmann2022, lossAt } from './chinchillaLaw.js';
import { computeOptimal, flopsForLoss } from './computeOptimal.js';

const laws = fc.record({
  E: fc.double({ min: 1, max: 2.5, noNaN: true }),
  A: fc.double({ min: 50, max: 2000, noNaN: true }),
  B: fc.double({ min: 50, max: 5000, noNaN: true }),
  alpha: fc.double({ min: 0.2, max: 0.6, noNaN: true }),
  beta: fc.double({ min: 0.2, max: 0.6, noNaN: true }),
});
const budgets = fc.double({ min: 1e18, max: 1e27, noNaN: true });

describe('computeOptimal', () => {
  it('gives Hoffmann et al.’s Approach 3 exponents a = 0.46, b = 0.54', () => {
    // Hoffmann et al. (2022), Table 2, Approach 3; from the rounded α = 0.34, β = 0.28 of eq. 10
    // a = β/(α+β) = 0.452.
    const run = computeOptimal(chinchillaHoffmann2022, 5.76e23);
    expect(Math.abs(run.exponents.params - 0.46)).toBeLessThan(0.01);
    expect(Math.abs(run.exponents.tokens - 0.54)).toBeLessThan(0.01);
    expect(run.exponents.params + run.exponents.tokens).toBeCloseTo(1, 14);
    expect(run.warnings).toEqual([]);
  });

  it('spends the whole budget: 6·N_opt·D_opt = C', () => {
    fc.assert(
      fc.property(laws, budgets, (law, flops) => {
        const run = computeOptimal(law, flops);
        expect((6 * run.params * run.tokens) / flops).toBeCloseTo(1, 12);
        expect(run.tokensPerParam).toBeCloseTo(run.tokens / run.params, 6);
      }),
    );
  });

  it('is the minimum of the loss along the budget', () => {
    fc.assert(
      fc.property(
        laws,
        budgets,
        fc.double({ min: 1.05, max: 20, noNaN: true }),
        (law, flops, k) => {
          const run = computeOptimal(law, flops);
          for (const n of [run.params * k, run.params / k]) {
            expect(lossAt(law, n, flops / (6 * n))).toBeGreaterThan(run.loss);
          }
        },
      ),
    );
  });

  it('inverts: the budget for a loss reaches exactly that loss', () => {
    fc.assert(
      fc.property(laws, budgets, (law, flops) => {
        const target = computeOptimal(law, flops).loss;
        expect(flopsForLoss(law, target).flops / flops).toBeCloseTo(1, 6);
      }),
    );
  });

  it('flags an extrapolation beyond the fitted data', () => {
    const law = {
      ...chinchillaBesiroglu2024,
      range: {
        params: { min: 4.4e7, max: 1.6e10 },
        tokens: { min: 2.5e8, max: 3.2e11 },
        flops: { min: 1.4e18, max: 1.3e22 },
      },
    };
    const inside = computeOptimal(law, 1e21);
    expect(inside.extrapolation).toEqual({ flops: 1, params: 1, tokens: 1 });
    expect(inside.warnings).toEqual([]);
    const llama = computeOptimal(law, 3.8e25);
    expect(llama.extrapolation?.flops).toBeCloseTo(3.8e25 / 1.3e22, 6);
    expect(llama.warnings[0]).toMatch(
      /^flops = 3\.800e\+25 lies 2\.92e\+3× outside the fitted data/,
    );
    expect(llama.warnings).toHaveLength(3);
  });

  it('rejects budgets in the wrong unit and unreachable losses', () => {
    expect(() => computeOptimal(chinchillaHoffmann2022, 3.8)).toThrow(
      /computeOptimal\(flops\): expected a raw count of flops/,
    );
    expect(() => flopsForLoss(chinchillaHoffmann2022, 1.6)).toThrow(
      /flopsForLoss\(targetLoss\): expected a loss above the law's irreducible loss E = 1.69, received 1.6/,
    );
  });
});
