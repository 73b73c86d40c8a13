import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { log1pExp, logSigmoid, sigmoid } from './log1pExp.js';

describe('log1pExp', () => {
  it('matches log(1 + e^x) where the naive form is accurate', () => {
    fc.assert(
      fc.property(fc.double({ min: -30, max: 30, noNaN: true }), (x) => {
        const naive = Math.log1p(Math.exp(x));
        expect(Math.abs(log1pExp(x) - naive)).toBeLessThanOrEqual(1e-15 * Math.max(1, naive));
      }),
    );
  });

  it('keeps full relative precision in the tails', () => {
    expect(log1pExp(800)).toBe(800);
    expect(log1pExp(-800)).toBe(Math.exp(-800));
    expect(log1pExp(-40)).toBe(Math.exp(-40)); // log1p(e^-40) = e^-40 to double precision
    expect(log1pExp(25)).toBeCloseTo(25 + Math.exp(-25), 14);
    expect(log1pExp(Number.POSITIVE_INFINITY)).toBe(Number.POSITIVE_INFINITY);
    expect(log1pExp(Number.NEGATIVE_INFINITY)).toBe(0);
    expect(() => log1pExp(Number.NaN)).toThrow(/log1pExp\(x\): received NaN/);
  });

  it('satisfies softplus(x) − softplus(−x) = x', () => {
    fc.assert(
      fc.property(fc.double({ min: -700, max: 700, noNaN: true }), (x) => {
        expect(log1pExp(x) - log1pExp(-x)).toBeCloseTo(x, 9);
      }),
    );
  });
});

describe('logSigmoid and sigmoid', () => {
  it('logSigmoid(x) = log σ(x), finite for very negative x', () => {
    expect(logSigmoid(0)).toBeCloseTo(-Math.LN2, 15);
    expect(logSigmoid(-1000)).toBe(-1000);
    expect(logSigmoid(1000)).toBe(-0);
    fc.assert(
      fc.property(fc.double({ min: -30, max: 30, noNaN: true }), (x) => {
        expect(Math.exp(logSigmoid(x))).toBeCloseTo(sigmoid(x), 14);
        expect(sigmoid(x) + sigmoid(-x)).toBeCloseTo(1, 15);
      }),
    );
  });

  it('sigmoid never overflows to NaN', () => {
    expect(sigmoid(-1000)).toBe(0);
    expect(sigmoid(1000)).toBe(1);
    expect(sigmoid(0)).toBe(0.5);
    expect(() => sigmoid(Number.NaN)).toThrow(/sigmoid\(x\)/);
  });
});
