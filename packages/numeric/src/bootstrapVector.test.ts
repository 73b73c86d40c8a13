import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bootstrap } from './bootstrap.js';
import { bootstrapVector } from './bootstrapVector.js';
import { quantile } from './quantile.js';
import { Random } from './random.js';
import { mean, variance } from './runningMoments.js';

describe('bootstrapVector', () => {
  it('gives each component the replicates and interval bootstrap gives it alone', () => {
    const rng = new Random(5);
    const data = Array.from({ length: 60 }, () => rng.normal(3, 1));
    const options = { rounds: 300, seed: 12, confidence: 0.9 };
    const vector = bootstrapVector(data, (s) => [mean(s), variance(s)], options);
    for (const [k, statistic] of [mean, variance].entries()) {
      const scalar = bootstrap(data, statistic, options);
      expect(vector.estimate[k]).toBe(scalar.estimate);
      expect(vector.replicates.map((r) => r[k])).toEqual(Array.from(scalar.replicates));
      expect(vector.lower[k]).toBe(scalar.lower);
      expect(vector.upper[k]).toBe(scalar.upper);
      expect(vector.standardError[k]).toBeCloseTo(scalar.standardError, 14);
    }
  });

  it('reads the interval off the replicates with numpy-linear percentiles', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.integer({ min: -800, max: 800 }).map((k) => k / 8),
          { minLength: 2, maxLength: 30 },
        ),
        fc.integer({ min: 0, max: 1000 }),
        (data, seed) => {
          const result = bootstrapVector(data, (s) => [Math.max(...s)], { rounds: 40, seed });
          const column = result.replicates.map((r) => r[0] as number);
          expect(result.lower[0]).toBe(quantile(column, (1 - 0.95) / 2));
          expect(result.upper[0]).toBe(quantile(column, 1 - (1 - 0.95) / 2));
        },
      ),
      { numRuns: 50 },
    );
  });

  it('rejects statistics that change length or return non-finite values, and aborts', () => {
    let calls = 0;
    expect(() => bootstrapVector([1, 2, 3], () => (calls++ === 0 ? [1, 2] : [1]))).toThrow(
      /bootstrapVector\(statistic\): returned an array of length 1 on round 0; expected an array of 2 numbers/,
    );
    expect(() => bootstrapVector([1, 2], () => [1, Number.NaN])).toThrow(
      /returned NaN at index 1 on the original data/,
    );
    expect(() => bootstrapVector([1, 2], () => [] as number[])).toThrow(
      /expected an array of numbers/,
    );
    expect(() => bootstrapVector([], () => [1])).toThrow(/non-empty array/);
    const controller = new AbortController();
    expect(() =>
      bootstrapVector([1, 2, 3], (s) => [mean(s)], {
        rounds: 10,
        signal: controller.signal,
        onProgress: (done) => done === 2 && controller.abort(),
      }),
    ).toThrow(/aborted after 2 of 10 rounds/);
  });
});
