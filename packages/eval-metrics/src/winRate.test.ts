import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { reconcileSwappedJudgments, winRate } from './winRate.js';

describe('winRate', () => {
  it('counts ties as half, skips nulls, and gives the standard error of the mean', () => {
    const r = winRate([1, 0, 0.5, 1, null], { seed: 3 });
    expect(r.winRate).toBe(0.625);
    expect(r.total).toBe(4);
    expect([r.wins, r.losses, r.ties]).toEqual([2, 1, 1]);
    // pandas: pd.Series([1, 0, 0.5, 1]).sem() = 0.2393...
    expect(r.standardError).toBeCloseTo(0.23935677693908455, 14);
    expect(r.lower).toBeLessThanOrEqual(r.winRate);
    expect(r.upper).toBeGreaterThanOrEqual(r.winRate);
    expect(winRate([1, 0, 0.5, 1], { seed: 3 })).toEqual(winRate([1, 0, 0.5, 1], { seed: 3 }));
  });

  it('rounds fractional preferences for the discrete win rate as AlpacaEval does', () => {
    expect(winRate([0.9, 0.2, 0.5, 0.6], { rounds: 0 }).discreteWinRate).toBe(0.625);
  });

  it('rejects out-of-range, NaN and all-null preferences', () => {
    expect(() => winRate([1.2])).toThrow(/preferences\[0\]/);
    expect(() => winRate([Number.NaN])).toThrow(/finite/);
    expect(() => winRate([null, null])).toThrow(/nothing was judged/);
    expect(() => winRate([])).toThrow(/at least one/);
  });

  it('mirrors under swapping model and baseline (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 40 }),
        (ps) => {
          const a = winRate(ps, { rounds: 0 });
          const b = winRate(
            ps.map((p) => 1 - p),
            { rounds: 0 },
          );
          expect(a.winRate + b.winRate).toBeCloseTo(1, 12);
          expect(a.wins).toBe(b.losses);
        },
      ),
    );
  });
});

describe('reconcileSwappedJudgments', () => {
  it('cancels a pure position bias and keeps consistent verdicts', () => {
    expect(reconcileSwappedJudgments(1, 1)).toBe(0.5);
    expect(reconcileSwappedJudgments(1, 0)).toBe(1);
    expect(reconcileSwappedJudgments(0.8, 0.4)).toBeCloseTo(0.7, 15);
    expect(reconcileSwappedJudgments(1, 1, 'consistent')).toBe(0.5);
    expect(reconcileSwappedJudgments(1, 0, 'consistent')).toBe(1);
    expect(reconcileSwappedJudgments(0.5, 0, 'consistent')).toBe(0.5);
    expect(() => reconcileSwappedJudgments(0.5, 0.5, 'vote' as never)).toThrow(/average/);
  });
});
