import { Random } from '@llmkit/numeric';
import { describe, expect, it } from 'vitest';
import { type ContextualData, type ContextualSettings, evaluate } from './contextualFit.js';

// A small contextual Bradley–Terry problem: 5 models, 3 features, weighted battles with ties.
const rng = new Random(11);
const M = 5;
const S = 3;
const N = 60;
const a = new Int32Array(N);
const b = new Int32Array(N);
const y = new Float64Array(N);
const z = new Float64Array(N * S);
const weights = new Float64Array(N);
for (let i = 0; i < N; i++) {
  a[i] = rng.int(M);
  b[i] = ((a[i] as number) + 1 + rng.int(M - 1)) % M;
  y[i] = [0, 0.5, 1][rng.int(3)] as number;
  for (let k = 0; k < S; k++) z[i * S + k] = rng.normal(0, 1);
  weights[i] = rng.int(3);
}
const data: ContextualData = { models: M, features: S, a, b, y, z, inactive: [] };
const settings: ContextualSettings = {
  fn: 'test',
  l2: 0.3,
  styleL2: 0.7,
  tolerance: 1e-10,
  maxIterations: 100,
  chunkSize: 7,
  signal: undefined,
};
const P = M + S;
const point = Float64Array.from({ length: P }, () => rng.normal(0, 0.8));

/** The objective written out directly, battle by battle, as in the module comment. */
function objective(x: Float64Array): number {
  let loss = 0;
  for (let i = 0; i < N; i++) {
    let eta = (x[a[i] as number] as number) - (x[b[i] as number] as number);
    for (let k = 0; k < S; k++) eta += (z[i * S + k] as number) * (x[M + k] as number);
    loss += (weights[i] as number) * (Math.log1p(Math.exp(eta)) - (y[i] as number) * eta);
  }
  for (let j = 0; j < P; j++) {
    loss += 0.5 * (j < M ? settings.l2 : settings.styleL2) * (x[j] as number) ** 2;
  }
  return loss;
}

describe('contextual Bradley–Terry objective', () => {
  it('matches the objective written out, and its gradient and Hessian match central differences', async () => {
    const { loss, gradient, hessian } = await evaluate(data, settings, weights, point);
    expect(loss).toBeCloseTo(objective(point), 10);
    const h = 1e-5;
    for (let j = 0; j < P; j++) {
      const up = Float64Array.from(point);
      const down = Float64Array.from(point);
      up[j] = (up[j] as number) + h;
      down[j] = (down[j] as number) - h;
      const numeric = (objective(up) - objective(down)) / (2 * h);
      expect(Math.abs((gradient[j] as number) - numeric)).toBeLessThan(1e-6);
      // Hessian column j (lower triangle stored) from differences of the analytic gradient.
      const gUp = (await evaluate(data, settings, weights, up)).gradient;
      const gDown = (await evaluate(data, settings, weights, down)).gradient;
      for (let i = j; i < P; i++) {
        const second = ((gUp[i] as number) - (gDown[i] as number)) / (2 * h);
        expect(Math.abs((hessian[i * P + j] as number) - second)).toBeLessThan(1e-6);
      }
    }
  });

  it('is the same in any chunking, and unit weights equal no weights', async () => {
    const whole = await evaluate(data, { ...settings, chunkSize: N }, undefined, point);
    const chunked = await evaluate(data, { ...settings, chunkSize: 1 }, undefined, point);
    const ones = await evaluate(data, settings, new Float64Array(N).fill(1), point);
    const near = (x: number, y: number) =>
      expect(Math.abs(x - y)).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(y)));
    for (const other of [chunked, ones]) {
      near(other.loss, whole.loss);
      for (let j = 0; j < P; j++) near(other.gradient[j] as number, whole.gradient[j] as number);
      for (let j = 0; j < P * P; j++) near(other.hessian[j] as number, whole.hessian[j] as number);
    }
  });
});
