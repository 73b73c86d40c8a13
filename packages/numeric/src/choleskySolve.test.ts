import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { choleskySolve } from './choleskySolve.js';

describe('choleskySolve', () => {
  it('solves a worked 3×3 system exactly', () => {
    // A = L·Lᵀ with L = [[2,0,0],[1,3,0],[-1,2,1]]; b = A·[1, -2, 3].
    const a = [4, 2, -2, 2, 10, 5, -2, 5, 6];
    const x = choleskySolve(a, [4 - 4 - 6, 2 - 20 + 15, -2 - 10 + 18]) as Float64Array;
    expect(Array.from(x).map((v) => Math.round(v * 1e12) / 1e12)).toEqual([1, -2, 3]);
  });

  it('returns undefined for matrices that are not positive definite', () => {
    expect(choleskySolve([1, 2, 2, 1], [1, 1])).toBeUndefined();
    expect(choleskySolve([1, 1, 1, 1], [1, 1])).toBeUndefined(); // singular
    expect(choleskySolve([0], [1])).toBeUndefined();
  });

  it('rejects shapes that do not match and non-finite entries', () => {
    expect(() => choleskySolve([1, 0, 0], [1, 1])).toThrow(/matrix.*4 entries/);
    expect(() => choleskySolve([1, 0, 0, Number.NaN], [1, 1])).toThrow(/matrix/);
    expect(() => choleskySolve([1], [])).toThrow(/rhs/);
  });

  it('A·x = b for random well-conditioned SPD matrices (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }).chain((p) =>
          fc.tuple(
            fc.constant(p),
            fc.array(fc.double({ min: -2, max: 2, noNaN: true }), {
              minLength: p * p,
              maxLength: p * p,
            }),
            fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: p, maxLength: p }),
          ),
        ),
        ([p, m, b]) => {
          // A = MᵀM + I is symmetric positive definite with eigenvalues ≥ 1.
          const a = new Float64Array(p * p);
          for (let i = 0; i < p; i++) {
            for (let j = 0; j < p; j++) {
              let s = i === j ? 1 : 0;
              for (let k = 0; k < p; k++) s += (m[k * p + i] as number) * (m[k * p + j] as number);
              a[i * p + j] = s;
            }
          }
          const x = choleskySolve(a, b) as Float64Array;
          for (let i = 0; i < p; i++) {
            let s = 0;
            for (let j = 0; j < p; j++) s += (a[i * p + j] as number) * (x[j] as number);
            expect(Math.abs(s - (b[i] as number))).toBeLessThan(
              1e-9 * (1 + Math.abs(b[i] as number)) * 100,
            );
          }
        },
      ),
    );
  });
});
