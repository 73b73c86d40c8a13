import { describe, expect, it } from 'vitest';
import { bootstrap } from './bootstrap.js';
import { Random } from './random.js';
import { mean } from './runningMoments.js';

describe('bootstrap', () => {
  it('gives a percentile interval whose standard error matches s/√n for the mean', () => {
    // Arrange: 400 draws from N(10, 2²); the standard error of the mean is ≈ 2/√400 = 0.1.
    const rng = new Random(11);
    const data = Array.from({ length: 400 }, () => rng.normal(10, 2));
    const s = Math.sqrt(data.reduce((a, x) => a + (x - mean(data)) ** 2, 0) / 399);
    // Act
    const result = bootstrap(data, mean, { rounds: 2000, seed: 3 });
    // Assert
    expect(result.estimate).toBe(mean(data));
    expect(result.standardError / (s / Math.sqrt(400))).toBeGreaterThan(0.9);
    expect(result.standardError / (s / Math.sqrt(400))).toBeLessThan(1.1);
    // A 95% normal interval is ±1.96 SE; the percentile interval agrees to within 15%.
    expect((result.upper - result.lower) / (2 * 1.96 * result.standardError)).toBeCloseTo(1, 0);
    expect(result.lower).toBeLessThan(result.estimate);
    expect(result.upper).toBeGreaterThan(result.estimate);
  });

  it('is reproducible from its seed, and each round is recomputable alone', () => {
    const data = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3];
    const a = bootstrap(data, mean, { rounds: 50, seed: 9 });
    const b = bootstrap(data, mean, { rounds: 50, seed: 9 });
    expect(a.replicates).toEqual(b.replicates);
    const round7 = new Random(9).fork(7);
    const resample = data.map(() => data[round7.int(data.length)] as number);
    expect(a.replicates[7]).toBe(mean(resample));
    expect(bootstrap(data, mean, { rounds: 50, seed: 10 }).replicates).not.toEqual(a.replicates);
  });

  it('collapses to a point on constant data', () => {
    const result = bootstrap([2, 2, 2], mean, { rounds: 20 });
    expect([result.lower, result.estimate, result.upper, result.standardError]).toEqual([
      2, 2, 2, 0,
    ]);
  });

  it('reports progress and stops on abort', () => {
    const controller = new AbortController();
    const seen: number[] = [];
    expect(() =>
      bootstrap([1, 2, 3], mean, {
        rounds: 10,
        signal: controller.signal,
        onProgress: (done) => {
          seen.push(done);
          if (done === 3) controller.abort();
        },
      }),
    ).toThrow(/aborted after 3 of 10 rounds/);
    expect(seen).toEqual([1, 2, 3]);
  });

  it('names bad arguments and non-finite statistics', () => {
    expect(() => bootstrap([], mean)).toThrow(/bootstrap\(data\): expected a non-empty array/);
    expect(() => bootstrap([1], mean, { rounds: 0 })).toThrow(/options.rounds/);
    expect(() => bootstrap([1], mean, { confidence: 1 })).toThrow(/strictly between 0 and 1/);
    expect(() => bootstrap([1, 2], () => Number.NaN)).toThrow(/returned NaN on the original data/);
  });
});
