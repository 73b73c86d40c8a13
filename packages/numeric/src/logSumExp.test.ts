import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { logAddExp, logSumExp } from './logSumExp.js';

const moderate = fc.double({ min: -300, max: 300, noNaN: true });

describe('logSumExp', () => {
  it('equals the naive log Σ exp where that does not overflow', () => {
    fc.assert(
      fc.property(fc.array(moderate, { minLength: 1, maxLength: 20 }), (xs) => {
        const naive = Math.log(xs.reduce((a, x) => a + Math.exp(x), 0));
        expect(logSumExp(xs)).toBeCloseTo(naive, 9);
      }),
    );
  });

  it('is shift invariant: lse(x + c) = lse(x) + c', () => {
    fc.assert(
      fc.property(fc.array(moderate, { minLength: 1, maxLength: 20 }), moderate, (xs, c) => {
        const shifted = logSumExp(xs.map((x) => x + c));
        expect(shifted).toBeCloseTo(logSumExp(xs) + c, 9);
      }),
    );
  });

  it('lies between max and max + log n', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e300, max: 1e300, noNaN: true }), { minLength: 1 }),
        (xs) => {
          const max = Math.max(...xs);
          const value = logSumExp(xs);
          expect(value).toBeGreaterThanOrEqual(max);
          expect(value).toBeLessThanOrEqual(max + Math.log(xs.length) + 1e-12 * Math.abs(max));
        },
      ),
    );
  });

  it('handles overflow, underflow and infinities by name', () => {
    expect(logSumExp([1000, 1000])).toBeCloseTo(1000 + Math.LN2, 12);
    expect(logSumExp([-1000, -1000])).toBeCloseTo(-1000 + Math.LN2, 12);
    expect(logSumExp([])).toBe(Number.NEGATIVE_INFINITY);
    expect(logSumExp([Number.NEGATIVE_INFINITY, 0])).toBe(0);
    expect(logSumExp([Number.POSITIVE_INFINITY, 0])).toBe(Number.POSITIVE_INFINITY);
    expect(logSumExp(new Float32Array([0, 0]))).toBeCloseTo(Math.LN2, 12);
    expect(() => logSumExp([0, Number.NaN])).toThrow(/logSumExp\(values\[1\]\): received NaN/);
  });
});

describe('logAddExp', () => {
  it('agrees with logSumExp of two values and is symmetric', () => {
    fc.assert(
      fc.property(moderate, moderate, (a, b) => {
        expect(logAddExp(a, b)).toBeCloseTo(logSumExp([a, b]), 12);
        expect(logAddExp(a, b)).toBe(logAddExp(b, a));
      }),
    );
    expect(logAddExp(Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY)).toBe(
      Number.NEGATIVE_INFINITY,
    );
    expect(() => logAddExp(Number.NaN, 0)).toThrow(/logAddExp\(a\)/);
  });
});
