import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { huber, huberGradient } from './huber.js';

describe('huber', () => {
  it('matches scipy.special.huber on both branches', () => {
    // scipy.special.huber(1e-3, r) for r = 5e-4, 2e-3, −0.5.
    expect(huber(5e-4, 1e-3)).toBe(1.25e-7);
    expect(huber(2e-3, 1e-3)).toBeCloseTo(1.5e-6, 18);
    expect(huber(-0.5, 1e-3)).toBeCloseTo(4.995e-4, 15);
  });

  it('is continuous at ±δ with the finite-difference gradient', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -3, max: 3, noNaN: true }),
        fc.double({ min: 0.01, max: 2, noNaN: true }),
        (r, delta) => {
          const h = 1e-6;
          const numeric = (huber(r + h, delta) - huber(r - h, delta)) / (2 * h);
          expect(huberGradient(r, delta)).toBeCloseTo(numeric, 5);
          expect(huber(r, delta)).toBeGreaterThanOrEqual(0);
        },
      ),
    );
  });

  it('rejects a non-positive delta', () => {
    expect(() => huber(1, 0)).toThrow(/huber\(delta\): expected a number > 0, received 0/);
    expect(() => huberGradient(Number.NaN, 1)).toThrow(/huberGradient\(residual\)/);
    expect(() => huber(0.5, Number.POSITIVE_INFINITY)).toThrow(
      /huber\(delta\): expected a finite number/,
    );
    expect(() => huber('0.5' as unknown as number, 1)).toThrow(
      /huber\(residual\): expected a number, received "0.5"/,
    );
    expect(() => huberGradient(0.5, -1)).toThrow(/huberGradient\(delta\): expected a number > 0/);
  });
});
