import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NumericError } from './errors.js';
import { RunningCovariance } from './runningCovariance.js';

const pairs = fc.array(
  fc.tuple(
    fc.double({ min: -1e3, max: 1e3, noNaN: true }),
    fc.double({ min: -1e3, max: 1e3, noNaN: true }),
  ),
  { minLength: 2, maxLength: 60 },
);

function naive(xs: number[], ys: number[]) {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += ((xs[i] as number) - mx) * ((ys[i] as number) - my);
    sxx += ((xs[i] as number) - mx) ** 2;
  }
  return { mx, my, cov: sxy / (n - 1), varX: sxx / (n - 1) };
}

describe('RunningCovariance', () => {
  it('matches numpy.cov on a worked example', () => {
    // numpy.cov([1, 2, 3, 4], [2, 1, 4, 3]) → [[1.6667, 1.0], [1.0, 1.6667]]
    const c = new RunningCovariance().add(1, 2).add(2, 1).add(3, 4).add(4, 3);
    expect(c.covariance).toBeCloseTo(1, 14);
    expect(c.varianceX).toBeCloseTo(5 / 3, 14);
    expect(c.varianceY).toBeCloseTo(5 / 3, 14);
    expect(c.meanX).toBe(2.5);
  });

  it('gives the delta-method standard error of a ratio', () => {
    // y = 2x exactly: the ratio is known without error.
    const exact = new RunningCovariance().add(1, 2).add(3, 6).add(5, 10);
    expect(exact.ratioStandardError).toBeCloseTo(0, 12);
    // Worked by hand: x = [1, 2], y = [1, 3]; R = 4/3, residuals [-1/3, 1/3],
    // s² = 2/9, SE = √(2/9 / 2) / 1.5 = 2/9.
    const c = new RunningCovariance().add(1, 1).add(2, 3);
    expect(c.ratioStandardError).toBeCloseTo(2 / 9, 14);
  });

  it('is NaN-safe when empty or with one pair', () => {
    const c = new RunningCovariance();
    expect(c.meanX).toBeNaN();
    c.add(1, 1);
    expect(c.covariance).toBeNaN();
    expect(c.ratioStandardError).toBeNaN();
  });

  it('rejects non-finite values and foreign merges', () => {
    expect(() => new RunningCovariance().add(Number.NaN, 1)).toThrow(NumericError);
    expect(() => new RunningCovariance().merge({} as RunningCovariance)).toThrow(/fromJSON/);
  });

  it('agrees with a two-pass computation, and any split merges to the single pass', () => {
    fc.assert(
      fc.property(pairs, fc.nat(), (ps, cut) => {
        const xs = ps.map((p) => p[0]);
        const ys = ps.map((p) => p[1]);
        const whole = new RunningCovariance();
        for (const [x, y] of ps) whole.add(x, y);
        const k = cut % (ps.length + 1);
        const left = new RunningCovariance();
        const right = new RunningCovariance();
        for (const [i, [x, y]] of ps.entries()) (i < k ? left : right).add(x, y);
        const merged = RunningCovariance.fromJSON(JSON.parse(JSON.stringify(left.merge(right))));
        const ref = naive(xs, ys);
        const tol = 1e-9 * (1 + Math.abs(ref.varX) + Math.abs(ref.cov) + 1e6);
        expect(Math.abs(whole.covariance - ref.cov)).toBeLessThan(tol);
        expect(Math.abs(merged.covariance - whole.covariance)).toBeLessThan(tol);
        expect(Math.abs(merged.meanY - ref.my)).toBeLessThan(1e-9 * (1 + Math.abs(ref.my)));
        expect(merged.count).toBe(ps.length);
      }),
    );
  });
});
