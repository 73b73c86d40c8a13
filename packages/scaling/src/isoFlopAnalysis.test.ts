import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadEpochFitPoints } from '../test/epochData.js';
import { scipyReference } from '../test/reference.js';
import { lossAt } from './chinchillaLaw.js';
import { isoFlopAnalysis } from './isoFlopAnalysis.js';
import type { ScalingPoint } from './scalingPoint.js';

const reference = scipyReference.isoFlop;

describe('isoFlopAnalysis', () => {
  it('matches numpy.polyfit on the isoFLOP slices of Hoffmann et al.’s data', () => {
    // Arrange: the nine budgets of Hoffmann et al.'s Figure 3 as measured in Epoch's data.
    const analysis = isoFlopAnalysis(loadEpochFitPoints(), {
      budgets: reference.budgets,
      tolerance: 0.15,
    });
    // Assert: the same members, parabolas, vertices and exponent as numpy.
    reference.slices.forEach(
      (expected: { points: number; optimalParams: number; parabola: number[] }, k: number) => {
        const slice = analysis.slices[k];
        expect(slice?.points).toHaveLength(expected.points);
        expect((slice?.optimalParams as number) / expected.optimalParams - 1).toBeCloseTo(0, 8);
        expect(slice?.parabola?.[2]).toBeCloseTo(expected.parabola[2] as number, 8);
      },
    );
    expect(analysis.a).toBeCloseTo(reference.a, 9);
    expect(analysis.paramsCoefficient / reference.paramsCoefficient - 1).toBeCloseTo(0, 6);
    // Hoffmann et al. report a = 0.49, b = 0.51 for Approach 2 on their own runs.
    expect(Math.abs(analysis.a - 0.49)).toBeLessThan(0.03);
    expect(analysis.b).toBeCloseTo(1 - analysis.a, 14);
  });

  it('recovers β/(α+β) from isoFLOP runs of a Chinchilla law, grouping budgets itself', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.25, max: 0.5, noNaN: true }),
        fc.double({ min: 0.25, max: 0.5, noNaN: true }),
        (alpha, beta) => {
          // Arrange: 5 budgets, 15 sizes around each optimum.
          const law = { E: 1.8, A: 400, B: 1500, alpha, beta };
          const points: ScalingPoint[] = [];
          for (const flops of [1e19, 1e20, 1e21, 1e22, 1e23]) {
            const G = ((alpha * law.A) / (beta * law.B)) ** (1 / (alpha + beta));
            const centre = G * (flops / 6) ** (beta / (alpha + beta));
            for (let k = -7; k <= 7; k++) {
              const params = centre * 10 ** (k / 14);
              const tokens = flops / (6 * params);
              points.push({ params, tokens, loss: lossAt(law, params, tokens) });
            }
          }
          // Act
          const analysis = isoFlopAnalysis(points);
          // Assert: the parabola's vertex is near but not at the true optimum, so a is close.
          expect(analysis.slices).toHaveLength(5);
          expect(Math.abs(analysis.a - beta / (alpha + beta))).toBeLessThan(0.01);
          expect(analysis.slices.every((s) => s.vertexInside)).toBe(true);
        },
      ),
      { numRuns: 20 },
    );
  });

  it('skips slices without a minimum and needs two that have one', () => {
    const flat: ScalingPoint[] = [1e8, 2e8, 4e8, 8e8, 1.6e9, 3.2e9].map((params) => ({
      params,
      tokens: 1e19 / (6 * params),
      loss: 9 - 0.01 * Math.log(params) ** 2,
    }));
    expect(() => isoFlopAnalysis(flat)).toThrow(/only 0 budget\(s\) have a minimum/);
  });
});
