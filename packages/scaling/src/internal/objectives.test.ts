import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadEpochPoints } from '../../test/epochData.js';
import { huberObjective, logResiduals } from './chinchillaObjective.js';
import { huberScale } from './concomitantScale.js';
import { powerLawObjective, powerLawResiduals } from './powerLawObjective.js';

const data = {
  logN: Float64Array.from([18, 19, 20, 21, 22, 19.5], (x) => x),
  logD: Float64Array.from([21, 22, 23, 22, 24, 25], (x) => x),
  logL: Float64Array.from([3.2, 2.9, 2.6, 2.7, 2.3, 2.4], Math.log),
};

/** Central differences of f at x, coordinate by coordinate. */
function numericalGradient(f: (x: Float64Array) => number, x: Float64Array): Float64Array {
  return Float64Array.from(x, (xi, i) => {
    const h = 1e-6 * Math.max(1, Math.abs(xi));
    const up = Float64Array.from(x);
    const down = Float64Array.from(x);
    up[i] = xi + h;
    down[i] = xi - h;
    return (f(up) - f(down)) / (2 * h);
  });
}

/** Agreement to 1e-5 relative (central differences with h = 1e-6 are good to about 1e-8·|f|/h). */
function expectClose(analytic: number, numeric: number): void {
  expect(Math.abs(analytic - numeric)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(numeric)));
}

/**
 * Central differences straddling |r| = δ, where the Huber loss's second derivative jumps, are off
 * by O(h); keep every residual farther from ±δ than a difference step can move it.
 */
function awayFromKinks(residuals: Float64Array, delta: number): boolean {
  return residuals.every((r) => Math.abs(Math.abs(r) - delta) > 5e-4);
}

const theta = fc.tuple(
  fc.double({ min: 2, max: 10, noNaN: true }),
  fc.double({ min: 2, max: 10, noNaN: true }),
  fc.double({ min: -0.5, max: 1, noNaN: true }),
  fc.double({ min: 0.1, max: 0.8, noNaN: true }),
  fc.double({ min: 0.1, max: 0.8, noNaN: true }),
);

describe('huberObjective', () => {
  it('has the gradient of finite differences (both Huber branches)', () => {
    fc.assert(
      fc.property(theta, fc.constantFrom(1e-3, 0.05, 1), (t, delta) => {
        const objective = huberObjective(data, delta);
        const x = Float64Array.from(t);
        fc.pre(awayFromKinks(logResiduals(data, x), delta));
        const g = new Float64Array(5);
        objective(x, g);
        const numeric = numericalGradient((y) => objective(y, new Float64Array(5)), x);
        for (let i = 0; i < 5; i++) {
          expectClose(g[i] as number, numeric[i] as number);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('is Σ huber(r)/δ of the log residuals', () => {
    const x = Float64Array.of(6, 7.6, 0.6, 0.35, 0.37);
    const r = logResiduals(data, x);
    const delta = 0.01;
    const expected = r.reduce(
      (s, ri) => s + (Math.abs(ri) <= delta ? 0.5 * ri * ri : delta * (Math.abs(ri) - 0.5 * delta)),
      0,
    );
    expect(huberObjective(data, delta)(x, new Float64Array(5))).toBeCloseTo(expected / delta, 12);
  });
});

describe('powerLawObjective', () => {
  it('has the gradient of finite differences, with and without offset', () => {
    const xy = { logX: data.logN, logL: data.logL };
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 8, noNaN: true }),
        fc.double({ min: 0.05, max: 0.8, noNaN: true }),
        fc.double({ min: -1, max: 1, noNaN: true }),
        fc.boolean(),
        (a, alpha, e, offset) => {
          const objective = powerLawObjective(xy, 0.01, offset);
          const x = offset ? Float64Array.of(a, alpha, e) : Float64Array.of(a, alpha);
          fc.pre(awayFromKinks(powerLawResiduals(xy, x), 0.01));
          const g = new Float64Array(x.length);
          objective(x, g);
          const numeric = numericalGradient((y) => objective(y, new Float64Array(x.length)), x);
          for (let i = 0; i < x.length; i++) {
            expectClose(g[i] as number, numeric[i] as number);
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('huberScale', () => {
  it('solves n·s = Σ ψ(rᵢ/s)·rᵢ, the stationarity of the Huber likelihood in s', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -0.1, max: 0.1, noNaN: true }), { minLength: 3, maxLength: 40 }),
        fc.constantFrom(1e-3, 0.5, 1.345),
        (values, delta) => {
          const r = Float64Array.from(values);
          fc.pre(r.some((x) => Math.abs(x) > 1e-6));
          const s = huberScale(r, delta, 'test');
          const psi = (x: number) => Math.max(-delta, Math.min(delta, x));
          const sum = values.reduce((acc, ri) => acc + psi(ri / s) * ri, 0);
          expect(sum / (values.length * s)).toBeCloseTo(1, 8);
        },
      ),
    );
  });
});

describe('the Epoch AI data loader', () => {
  it('fails with a message that says where the file must be', () => {
    expect(() => loadEpochPoints(new URL('file:///nowhere/epoch.csv'))).toThrow(
      /Epoch AI's Chinchilla data is missing: expected \/nowhere\/epoch\.csv \(\.\.\/shared\/data\/epoch_chinchilla_svg_extracted_data\.csv from the repository root\)/,
    );
  });
});
