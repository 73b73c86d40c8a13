import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NumericError } from './errors.js';
import { minimizeLbfgs } from './lbfgs.js';

/** Rosenbrock's function (a = 1, b = 100); global minimum 0 at (1, …, 1). */
function rosenbrock(x: Float64Array, g?: Float64Array): number {
  let f = 0;
  g?.fill(0);
  for (let i = 0; i < x.length - 1; i++) {
    const a = x[i] as number;
    const b = x[i + 1] as number;
    f += (1 - a) ** 2 + 100 * (b - a * a) ** 2;
    if (g) {
      g[i] = (g[i] as number) - 2 * (1 - a) - 400 * a * (b - a * a);
      g[i + 1] = (g[i + 1] as number) + 200 * (b - a * a);
    }
  }
  return f;
}

/** Beale's function; global minimum 0 at (3, 0.5). */
function beale([x, y]: Float64Array): number {
  const a = x as number;
  const b = y as number;
  return (1.5 - a + a * b) ** 2 + (2.25 - a + a * b * b) ** 2 + (2.625 - a + a * b ** 3) ** 2;
}

describe('minimizeLbfgs', () => {
  it("finds Rosenbrock's minimum (1, 1) from the classic start (−1.2, 1) with an exact gradient", () => {
    const result = minimizeLbfgs({ valueAndGradient: rosenbrock }, [-1.2, 1]);
    expect(result.converged).toBe(true);
    expect(result.x[0]).toBeCloseTo(1, 8);
    expect(result.x[1]).toBeCloseTo(1, 8);
    expect(result.value).toBeLessThan(1e-16);
    expect(result.iterations).toBeLessThan(60);
  });

  it('finds the 10-dimensional Rosenbrock minimum', () => {
    const x0 = Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? -1.2 : 1));
    const result = minimizeLbfgs({ valueAndGradient: rosenbrock }, x0);
    expect(result.converged).toBe(true);
    for (const xi of result.x) expect(xi).toBeCloseTo(1, 6);
  });

  it("finds Beale's minimum (3, 0.5) with a numerical gradient", () => {
    const result = minimizeLbfgs(beale, [1, 1]);
    expect(result.converged).toBe(true);
    expect(result.x[0]).toBeCloseTo(3, 5);
    expect(result.x[1]).toBeCloseTo(0.5, 5);
    expect(result.evaluations).toBeGreaterThan(result.iterations * 4);
  });

  it('solves a positive-definite quadratic exactly: x* = A⁻¹b', () => {
    // f(x) = ½xᵀAx − bᵀx with A = [[4, 1], [1, 3]], b = [1, 2]; x* = [1/11, 7/11].
    const result = minimizeLbfgs(
      {
        valueAndGradient: ([x, y], g) => {
          const a = x as number;
          const b = y as number;
          g[0] = 4 * a + b - 1;
          g[1] = a + 3 * b - 2;
          return 0.5 * (4 * a * a + 2 * a * b + 3 * b * b) - a - 2 * b;
        },
      },
      [10, -10],
      { gradientTolerance: 1e-13 },
    );
    expect(result.reason).toBe('gradientTolerance');
    expect(result.gradientNorm).toBeLessThanOrEqual(1e-13);
    expect(result.x[0]).toBeCloseTo(1 / 11, 12);
    expect(result.x[1]).toBeCloseTo(7 / 11, 12);
  });

  it('backs off when a trial step leaves the domain (log barrier)', () => {
    // f(x) = x − log(x), minimum at x = 1; a long step to x < 0 gives NaN.
    const result = minimizeLbfgs((x) => (x[0] as number) - Math.log(x[0] as number), [0.01]);
    expect(result.converged).toBe(true);
    expect(result.x[0]).toBeCloseTo(1, 6);
  });

  it('reports maxIterations instead of pretending to converge', () => {
    const result = minimizeLbfgs({ valueAndGradient: rosenbrock }, [-1.2, 1], { maxIterations: 3 });
    expect(result.converged).toBe(false);
    expect(result.reason).toBe('maxIterations');
    expect(result.iterations).toBe(3);
  });

  it('stops on abort and calls onIteration each iteration', () => {
    const controller = new AbortController();
    const seen: number[] = [];
    const result = minimizeLbfgs({ valueAndGradient: rosenbrock }, [-1.2, 1], {
      signal: controller.signal,
      onIteration: ({ iteration }) => {
        seen.push(iteration);
        if (iteration === 5) controller.abort();
      },
    });
    expect(result.reason).toBe('aborted');
    expect(seen).toEqual([1, 2, 3, 4, 5]);
  });

  it('reaches the minimum of random convex quadratics to the gradient tolerance', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0.1, max: 100, noNaN: true }), { minLength: 1, maxLength: 6 }),
        fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: 6, maxLength: 6 }),
        (curvatures, start) => {
          const x0 = start.slice(0, curvatures.length);
          const result = minimizeLbfgs(
            {
              valueAndGradient: (x, g) => {
                let f = 0;
                curvatures.forEach((c, i) => {
                  const xi = x[i] as number;
                  f += 0.5 * c * (xi - 1) ** 2;
                  g[i] = c * (xi - 1);
                });
                return f;
              },
            },
            x0,
            // Only the gradient test decides here: near f = 0 the relative-decrease test may
            // stop earlier by design (its scale is max(|f|, 1)).
            { functionTolerance: 0 },
          );
          expect(result.reason).toBe('gradientTolerance');
          for (const xi of result.x) expect(xi).toBeCloseTo(1, 6);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('rejects non-finite starts and objectives with a clear NON_FINITE error', () => {
    expect(() => minimizeLbfgs(beale, [Number.NaN, 1])).toThrow(
      /x0\[0\]\): expected a finite number, received NaN/,
    );
    try {
      minimizeLbfgs(() => Number.NaN, [0]);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(NumericError);
      expect((error as NumericError).code).toBe('NON_FINITE');
      expect((error as Error).message).toMatch(/f\(x0\) = NaN/);
    }
    expect(() => minimizeLbfgs(beale, [])).toThrow(/at least 1 value/);
    expect(() => minimizeLbfgs(42 as never, [0])).toThrow(/objective/);
    expect(() => minimizeLbfgs(beale, [0, 0], { c1: 0.95, c2: 0.9 })).toThrow(/0 < c1 < c2 < 1/);
  });
});
