import { describe, expect, it } from 'vitest';
import { sampleBinomial, sampleMultinomial } from './binomial.js';
import { NumericError } from './errors.js';
import { Random } from './random.js';

/** Pearson χ² of observed counts against the exact Binomial(n, p) pmf, bins with expected ≥ 5. */
function chiSquare(
  n: number,
  p: number,
  draws: number,
  seed: number,
): { stat: number; df: number } {
  const rng = new Random(seed);
  const observed = new Float64Array(n + 1);
  for (let i = 0; i < draws; i++) {
    const k = sampleBinomial(rng, n, p);
    observed[k] = (observed[k] as number) + 1;
  }
  const logPmf = (k: number) => {
    let lf = 0;
    for (let j = 1; j <= n; j++) lf += Math.log(j);
    let lk = 0;
    for (let j = 1; j <= k; j++) lk += Math.log(j);
    let lnk = 0;
    for (let j = 1; j <= n - k; j++) lnk += Math.log(j);
    return lf - lk - lnk + k * Math.log(p) + (n - k) * Math.log1p(-p);
  };
  let stat = 0;
  let df = -1;
  let pooledObserved = 0;
  let pooledExpected = 0;
  for (let k = 0; k <= n; k++) {
    pooledObserved += observed[k] as number;
    pooledExpected += draws * Math.exp(logPmf(k));
    if (pooledExpected >= 5) {
      stat += (pooledObserved - pooledExpected) ** 2 / pooledExpected;
      df++;
      pooledObserved = 0;
      pooledExpected = 0;
    }
  }
  return { stat, df };
}

describe('sampleBinomial', () => {
  it.each([
    [20, 0.1], // inversion branch
    [200, 0.3], // BTRS branch
    [1000, 0.93], // BTRS on the mirrored side
  ])('matches the exact pmf of Binomial(%i, %f) by a χ² test', (n, p) => {
    const { stat, df } = chiSquare(n, p, 40_000, 11);
    // χ² 99.9% quantile ≈ df + 3.1·√(2df) + 5 for the df here; a wrong sampler lands far beyond.
    expect(stat).toBeLessThan(df + 3.1 * Math.sqrt(2 * df) + 5);
  });

  it('has the right mean and variance for large n', () => {
    const rng = new Random(3);
    const n = 1_000_000;
    const p = 0.0123;
    let s = 0;
    let s2 = 0;
    const draws = 20_000;
    for (let i = 0; i < draws; i++) {
      const k = sampleBinomial(rng, n, p);
      s += k;
      s2 += k * k;
    }
    const m = s / draws;
    const v = s2 / draws - m * m;
    expect(Math.abs(m - n * p)).toBeLessThan(5 * Math.sqrt((n * p * (1 - p)) / draws));
    expect(v / (n * p * (1 - p))).toBeGreaterThan(0.95);
    expect(v / (n * p * (1 - p))).toBeLessThan(1.05);
  });

  it('handles the edges and rejects bad arguments', () => {
    const rng = new Random(1);
    expect(sampleBinomial(rng, 0, 0.5)).toBe(0);
    expect(sampleBinomial(rng, 7, 0)).toBe(0);
    expect(sampleBinomial(rng, 7, 1)).toBe(7);
    expect(() => sampleBinomial(rng, 2.5, 0.5)).toThrow(NumericError);
    expect(() => sampleBinomial(rng, 3, 1.5)).toThrow(/probability/);
  });
});

describe('sampleMultinomial', () => {
  it('sums to n, leaves zero-weight categories empty, and matches the expected shares', () => {
    const rng = new Random(5);
    const weights = [1, 0, 2, 7];
    const totals = new Float64Array(4);
    for (let r = 0; r < 2000; r++) {
      const counts = sampleMultinomial(rng, 100, weights);
      expect(counts.reduce((a, b) => a + b, 0)).toBe(100);
      expect(counts[1]).toBe(0);
      for (let i = 0; i < 4; i++) totals[i] = (totals[i] as number) + (counts[i] as number);
    }
    expect((totals[0] as number) / 200_000).toBeCloseTo(0.1, 2);
    expect((totals[3] as number) / 200_000).toBeCloseTo(0.7, 2);
  });

  it('is reproducible from the seed and rejects all-zero weights', () => {
    expect(sampleMultinomial(new Random(9), 50, [3, 4])).toEqual(
      sampleMultinomial(new Random(9), 50, [3, 4]),
    );
    expect(() => sampleMultinomial(new Random(9), 5, [0, 0])).toThrow(/positive weight/);
  });
});
