import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mean, RunningMoments, variance } from './runningMoments.js';

const values = fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), {
  minLength: 0,
  maxLength: 60,
});

function twoPass(xs: number[]): { mean: number; variance: number } {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return { mean: m, variance: xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1) };
}

describe('RunningMoments', () => {
  it('agrees with the two-pass formulas', () => {
    fc.assert(
      fc.property(
        values.filter((xs) => xs.length >= 2),
        (xs) => {
          const moments = new RunningMoments().addAll(xs);
          const reference = twoPass(xs);
          expect(moments.mean).toBeCloseTo(reference.mean, 6);
          expect(moments.variance).toBeCloseTo(reference.variance, -2);
          expect(Math.abs(moments.variance - reference.variance)).toBeLessThanOrEqual(
            1e-9 * Math.max(1, reference.variance),
          );
          expect(moments.min).toBe(Math.min(...xs));
          expect(moments.max).toBe(Math.max(...xs));
        },
      ),
    );
  });

  it('merge of any split equals one pass (Chan et al.)', () => {
    fc.assert(
      fc.property(values, fc.nat(), (xs, cut) => {
        const k = xs.length === 0 ? 0 : cut % (xs.length + 1);
        const merged = new RunningMoments()
          .addAll(xs.slice(0, k))
          .merge(new RunningMoments().addAll(xs.slice(k)));
        const single = new RunningMoments().addAll(xs);
        expect(merged.count).toBe(single.count);
        if (xs.length > 0) expect(merged.mean).toBeCloseTo(single.mean, 6);
        if (xs.length > 1) {
          expect(Math.abs(merged.variance - single.variance)).toBeLessThanOrEqual(
            1e-9 * Math.max(1, single.variance),
          );
        }
      }),
    );
  });

  it('survives a JSON round trip, so shards can travel between workers', () => {
    const a = new RunningMoments().addAll([1, 2, 3, 4]);
    const restored = RunningMoments.fromJSON(JSON.parse(JSON.stringify(a)));
    expect(restored.toJSON()).toEqual(a.toJSON());
    expect(RunningMoments.fromJSON(JSON.parse(JSON.stringify(new RunningMoments()))).count).toBe(0);
  });

  it('keeps precision with a large offset (where the naive Σx² formula fails)', () => {
    const xs = [1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16];
    expect(new RunningMoments().addAll(xs).variance).toBe(30);
  });

  it('reports NaN statistics when undefined and rejects non-finite values', () => {
    const empty = new RunningMoments();
    expect(empty.mean).toBeNaN();
    expect(new RunningMoments().add(3).variance).toBeNaN();
    expect(() => empty.add(Number.POSITIVE_INFINITY)).toThrow(
      /RunningMoments.add\(value\): expected a finite number, received Infinity/,
    );
    expect(() => empty.merge({} as RunningMoments)).toThrow(/fromJSON/);
  });
});

describe('mean and variance', () => {
  it('match numpy: mean([1, 2, 3, 4]) = 2.5, var(ddof=1) = 5/3', () => {
    expect(mean([1, 2, 3, 4])).toBe(2.5);
    expect(variance([1, 2, 3, 4])).toBeCloseTo(5 / 3, 15);
    expect(() => mean([])).toThrow(/mean\(values\): expected at least 1 value/);
    expect(() => variance([1])).toThrow(/at least 2 values/);
  });
});
