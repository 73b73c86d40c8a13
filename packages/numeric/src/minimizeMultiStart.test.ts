import { describe, expect, it } from 'vitest';
import { gridPoints, minimizeMultiStart } from './minimizeMultiStart.js';

/** A tilted double well: the minimum near x = −1 is deeper than the one near x = +1. */
function doubleWell([x]: Float64Array, g: Float64Array): number {
  const v = x as number;
  g[0] = 4 * v * (v * v - 1) + 0.15;
  return (v * v - 1) ** 2 + 0.15 * v;
}

describe('gridPoints', () => {
  it('enumerates the Cartesian product with the last axis fastest', () => {
    expect(
      gridPoints([
        [0, 1],
        [5, 6, 7],
      ]).map((p) => Array.from(p)),
    ).toEqual([
      [0, 5],
      [0, 6],
      [0, 7],
      [1, 5],
      [1, 6],
      [1, 7],
    ]);
  });

  it('rejects empty axes', () => {
    expect(() => gridPoints([])).toThrow(/non-empty/);
    expect(() => gridPoints([[1], []])).toThrow(/axes\[1\]/);
  });
});

describe('minimizeMultiStart', () => {
  it('keeps the deepest minimum over all starts and reports every start', () => {
    const starts = gridPoints([[-2, -0.5, 0.5, 2]]);
    const progress: number[] = [];
    const { best, bestStart, outcomes } = minimizeMultiStart(
      { valueAndGradient: doubleWell },
      starts,
      {
        onStart: ({ completed }) => progress.push(completed),
      },
    );
    // The deeper well is the one left of 0 because of the +0.15x tilt.
    expect(best.x[0]).toBeLessThan(0);
    expect(best.value).toBeLessThan(outcomes[3]?.value as number);
    expect(outcomes).toHaveLength(4);
    expect(outcomes[bestStart]?.value).toBe(best.value);
    expect(progress).toEqual([1, 2, 3, 4]);
  });

  it('skips starts outside the domain and fails clearly when none is usable', () => {
    const logBarrier = (x: Float64Array): number => (x[0] as number) - Math.log(x[0] as number);
    const { best, outcomes } = minimizeMultiStart(logBarrier, [[-1], [0.5]]);
    expect(outcomes[0]?.reason).toBe('nonFiniteStart');
    expect(best.x[0]).toBeCloseTo(1, 5);
    expect(() => minimizeMultiStart(logBarrier, [[-1], [-2]])).toThrow(
      /not finite at any of the 2 starts/,
    );
    expect(() => minimizeMultiStart(logBarrier, [])).toThrow(/at least one starting point/);
  });
});
