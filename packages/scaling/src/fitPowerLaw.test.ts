import { describe, expect, it } from 'vitest';
import { scipyReference } from '../test/reference.js';
import { compareExponents } from './compareExponents.js';
import { fitPowerLaw, predictPowerLaw } from './fitPowerLaw.js';

const reference = scipyReference.powerLaw;

/** The synthetic series of make_reference.py: L = (1.8 + 400·x^−0.34)·e^(0.01·sin 3i). */
const series = Array.from({ length: 25 }, (_, i) => {
  const x = 10 ** (6 + (4 * i) / 24);
  return { x, loss: (1.8 + 400 * x ** -0.34) * Math.exp(0.01 * Math.sin(3 * i)) };
});

function runs(E: number, A: number, alpha: number, phase: number) {
  return Array.from({ length: 16 }, (_, i) => {
    const x = 10 ** (7 + i / 5);
    return { x, loss: (E + A * x ** -alpha) * Math.exp(0.004 * Math.sin(5 * i + phase)) };
  });
}

describe('fitPowerLaw', () => {
  it('matches scipy’s BFGS Huber fit of L = E + A·x^−α', () => {
    const fit = fitPowerLaw(series);
    expect(fit.E / reference.E - 1).toBeCloseTo(0, 5);
    expect(fit.A / reference.A - 1).toBeCloseTo(0, 4);
    expect(fit.alpha / reference.alpha - 1).toBeCloseTo(0, 5);
    expect(fit.objective).toBeLessThanOrEqual(reference.objective * (1 + 1e-9));
    expect(fit.range).toEqual({ min: 1e6, max: 1e10 });
  });

  it('recovers a pure power law without offset', () => {
    const points = [1e3, 1e4, 1e5, 1e6].map((x) => ({ x, loss: 50 * x ** -0.2 }));
    const fit = fitPowerLaw(points, { offset: false });
    expect(fit.E).toBe(0);
    expect(fit.A).toBeCloseTo(50, 4);
    expect(fit.alpha).toBeCloseTo(0.2, 7);
    expect(predictPowerLaw(fit, 1e7)).toBeCloseTo(50 * 1e7 ** -0.2, 6);
  });

  it('bootstraps intervals around the estimate', () => {
    const fit = fitPowerLaw(series, { bootstrap: 50, seed: 2 });
    expect(fit.intervals?.alpha.lower).toBeLessThan(fit.alpha);
    expect(fit.intervals?.alpha.upper).toBeGreaterThan(fit.alpha);
    expect(fit.intervals?.alphaReplicates).toHaveLength(50);
  });

  it('needs more points than parameters and positive values', () => {
    expect(() => fitPowerLaw(series.slice(0, 3))).toThrow(
      /expected at least 4 points to fit 3 parameters, received 3/,
    );
    expect(() => fitPowerLaw([...series, { x: 0, loss: 2 }])).toThrow(
      /fitPowerLaw\(points\[25\]\.x\): expected a number > 0/,
    );
    expect(() => fitPowerLaw(series.map((p) => ({ ...p, x: 5 })))).toThrow(/same x/);
  });
});

describe('compareExponents', () => {
  it('tells a steeper architecture apart, with an interval that excludes zero', () => {
    // Arrange: two families of runs with exponents 0.30 and 0.45.
    const comparison = compareExponents(runs(1.8, 300, 0.3, 0), runs(1.8, 3000, 0.45, 1), {
      bootstrap: 200,
      seed: 4,
    });
    // Assert
    expect(comparison.difference).toBeCloseTo(-0.15, 1);
    expect(comparison.upper).toBeLessThan(0);
    expect(comparison.lower).toBeLessThan(comparison.difference);
    expect(comparison.probabilityFirstSteeper).toBe(0);
  });

  it('finds no difference between two samples of one law', () => {
    const comparison = compareExponents(runs(1.8, 300, 0.3, 0), runs(1.8, 300, 0.3, 2), {
      bootstrap: 200,
      seed: 4,
    });
    expect(comparison.lower).toBeLessThan(0);
    expect(comparison.upper).toBeGreaterThan(0);
  });
});
