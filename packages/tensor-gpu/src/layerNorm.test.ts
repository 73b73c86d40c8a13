/**
 * layerNorm: the float64 reference against PyTorch; every backend and kernel mode against the
 * reference (value and the gradients in x, γ, β); the gradient against finite differences.
 */
import { Random } from '@llmkit/numeric';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  expectClose,
  finiteDifferences,
  golden,
  HOST_MODES,
  useMode,
  valueAndGrads,
} from '../test/fusedTestKit.js';
import { layerNormGradReference, layerNormReference } from './kernels/layerNorm.js';
import { layerNorm } from './layerNorm.js';
import { leakCheck } from './memory.js';
import * as ops from './ops.js';
import type { Tensor } from './tensor.js';

const g = golden.layer_norm!;
const eps = g.eps!;
const input = (name: string): number[] => g.inputs[name]!.values;

describe('layerNorm reference', () => {
  it('matches PyTorch in float64: value and gradients in x, γ, β', () => {
    const { y } = layerNormReference(input('x'), input('gamma'), input('beta'), eps);
    expectClose(y, g.output.values, 1e-12, 1e-12, 'y');
    const { dx, dgamma, dbeta } = layerNormGradReference(g.dy, input('x'), input('gamma'), eps);
    expectClose(dx, g.grads.x!, 1e-12, 1e-10, 'dx');
    expectClose(dgamma, g.grads.gamma!, 1e-12, 1e-10, 'dgamma');
    expectClose(dbeta, g.grads.beta!, 1e-12, 1e-10, 'dbeta');
  });
});

const f = (x: Tensor, gamma: Tensor, beta: Tensor): Tensor => layerNorm(x, gamma, beta, eps);

/**
 * Absolute error bounds for float32 gradients of rows that are nearly constant far from zero,
 * where centring in float32 leaves a relative error of |x|/σ·2^-23 in x̂ (σ² = var + eps):
 * dgamma sums |dy|·that error, dx scales it by Σ|γ·dy|/σ per row.
 */
function roundingBounds(
  x: Float32Array,
  gamma: Float32Array,
  dy: Float32Array,
  rows: number,
  c: number,
): { dx: number; dgamma: number } {
  const unit = 4 * 2 ** -23;
  let dx = 0;
  let dgamma = 0;
  for (let r = 0; r < rows; r++) {
    const row = x.subarray(r * c, (r + 1) * c);
    const mean = row.reduce((s, v) => s + v, 0) / c;
    const sigma = Math.sqrt(row.reduce((s, v) => s + (v - mean) ** 2, 0) / c + eps);
    const spread = (unit * row.reduce((m, v) => Math.max(m, Math.abs(v)), 0)) / sigma;
    let gammaDy = 0;
    let dySum = 0;
    for (let j = 0; j < c; j++) {
      gammaDy += Math.abs(gamma[j]! * dy[r * c + j]!);
      dySum += Math.abs(dy[r * c + j]!);
    }
    dx = Math.max(dx, (spread * gammaDy) / sigma);
    dgamma += spread * dySum;
  }
  return { dx, dgamma };
}

describe.each(HOST_MODES)('layerNorm on %s, %s kernels', (backend, mode) => {
  it('matches the PyTorch golden case, value and gradients', async () => {
    await useMode(backend, mode);
    const tensors = ['x', 'gamma', 'beta'].map((k) => ops.tensor(input(k), g.inputs[k]!.shape));
    const { value, grads } = leakCheck(() => valueAndGrads(f, tensors, g.dy));
    for (const t of tensors) t.dispose();
    expectClose(value, g.output.values, 1e-5, 1e-5, 'y');
    expectClose(grads[0]!, g.grads.x!, 1e-4, 1e-4, 'dx');
    expectClose(grads[1]!, g.grads.gamma!, 1e-4, 1e-4, 'dgamma');
    expectClose(grads[2]!, g.grads.beta!, 1e-4, 1e-4, 'dbeta');
  });

  it('agrees with the reference on random shapes and offsets (property)', async () => {
    await useMode(backend, mode);
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 24 }),
        fc.double({ min: -50, max: 50, noNaN: true }),
        fc.nat(),
        (rows, c, offset, seed) => {
          const rng = new Random(seed);
          const x = Float32Array.from({ length: rows * c }, () => offset + rng.normal(0, 2));
          const gamma = Float32Array.from({ length: c }, () => rng.normal(1, 0.5));
          const beta = Float32Array.from({ length: c }, () => rng.normal(0, 0.5));
          const dy = Float32Array.from({ length: rows * c }, () => rng.normal(0, 1));
          const tensors = [ops.tensor(x, [rows, c]), ops.tensor(gamma), ops.tensor(beta)];
          const { value, grads } = valueAndGrads(f, tensors, dy);
          for (const t of tensors) t.dispose();
          const ref = layerNormReference(x, gamma, beta, eps);
          const refGrad = layerNormGradReference(dy, x, gamma, eps);
          expectClose(value, ref.y, 2e-4, 2e-4, 'y');
          // float32 centring loses |x|/σ·2^-24 of x̂; dx divides by σ once more.
          const { dx, dgamma } = roundingBounds(x, gamma, dy, rows, c);
          expectClose(grads[0]!, refGrad.dx, 2e-3 + dx, 2e-3, 'dx');
          expectClose(grads[1]!, refGrad.dgamma, 2e-3 + dgamma, 2e-3, 'dgamma');
          expectClose(grads[2]!, refGrad.dbeta, 1e-4, 1e-4, 'dbeta');
        },
      ),
      { numRuns: 30 },
    );
  });

  it('has gradients that match finite differences', async () => {
    await useMode(backend, mode);
    const rng = new Random(9);
    const x = Float32Array.from({ length: 12 }, () => rng.normal(0, 1));
    const gamma = Float32Array.from({ length: 4 }, () => rng.normal(1, 0.3));
    const beta = Float32Array.from({ length: 4 }, () => rng.normal(0, 0.3));
    const dy = Float32Array.from({ length: 12 }, () => rng.normal(0, 1));
    const shapes = [[3, 4], [4], [4]];
    const tensors = [x, gamma, beta].map((v, i) => ops.tensor(v, shapes[i]));
    const { grads } = valueAndGrads(f, tensors, dy);
    for (const t of tensors) t.dispose();
    for (const which of [0, 1, 2]) {
      const numeric = finiteDifferences(f, [x, gamma, beta], shapes, which, dy);
      expectClose(grads[which]!, numeric, 3e-3, 3e-3, `d${['x', 'gamma', 'beta'][which]}`);
    }
  });
});

describe('layerNorm input checks', () => {
  it('refuses γ of the wrong length and a negative ε', async () => {
    await useMode('cpu', 'fast');
    const x = ops.zeros([2, 3]);
    expect(() => layerNorm(x, ops.ones([4]), ops.zeros([3]))).toThrow(
      /layerNorm\(gamma\): expected shape \[3\]/,
    );
    expect(() => layerNorm(x, ops.ones([3]), ops.zeros([3]), -1)).toThrow(/layerNorm\(epsilon\)/);
  });
});
