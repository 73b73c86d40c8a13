/** expf against Math.exp: relative error far below float32's resolution, and the edge values. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expf } from './fastMath.js';

describe('expf', () => {
  it('is within 2e-8 relative of Math.exp over float32’s whole range (property)', () => {
    fc.assert(
      fc.property(fc.double({ min: -87, max: 88, noNaN: true }), (x) => {
        expect(Math.abs(expf(x) - Math.exp(x)) / Math.exp(x)).toBeLessThan(2e-8);
      }),
      { numRuns: 2000 },
    );
  });

  it('rounds to float32 0 and Infinity beyond float32’s range, and keeps NaN', () => {
    expect(Math.fround(expf(-1000))).toBe(0);
    expect(Math.fround(expf(1000))).toBe(Number.POSITIVE_INFINITY);
    expect(Math.fround(expf(Number.NEGATIVE_INFINITY))).toBe(0);
    expect(expf(Number.NaN)).toBeNaN();
    expect(expf(0)).toBe(1);
  });
});
