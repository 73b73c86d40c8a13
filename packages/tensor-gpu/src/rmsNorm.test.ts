/**
 * rmsNorm: the float64 reference against PyTorch; every backend and kernel mode against the
 * reference (value and the gradients in x and γ); the gradient against finite differences.
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
import { rmsNormGradReference, rmsNormReference } from './kernels/rmsNorm.js';
import { leakCheck } from './memory.js';
import * as ops from './ops.js';
import { rmsNorm } from './rmsNorm.js';
import type { Tensor } from './tensor.js';

const g = golden.rms_norm!;
const eps = g.eps!;
const input = (name: string): number[] => g.inputs[name]!.values;
const f = (x: Tensor, gamma: Tensor): Tensor => rmsNorm(x, gamma, eps);

describe('rmsNorm reference', () => {
  it('matches PyTorch in float64: value and gradients in x, γ', () => {
    expectClose(
      rmsNormReference(input('x'), input('gamma'), eps).y,
      g.output.values,
      1e-12,
      1e-12,
      'y',
    );
    const { dx, dgamma } = rmsNormGradReference(g.dy, input('x'), input('gamma'), eps);
    expectClose(dx, g.grads.x!, 1e-12, 1e-10, 'dx');
    expectClose(dgamma, g.grads.gamma!, 1e-12, 1e-10, 'dgamma');
  });
});

describe.each(HOST_MODES)('rmsNorm on %s, %s kernels', (backend, mode) => {
  it('matches the PyTorch golden case, value and gradients', async () => {
    await useMode(backend, mode);
    const tensors = ['x', 'gamma'].map((k) => ops.tensor(input(k), g.inputs[k]!.shape));
    const { value, grads } = leakCheck(() => valueAndGrads(f, tensors, g.dy));
    for (const t of tensors) t.dispose();
    expectClose(value, g.output.values, 1e-5, 1e-5, 'y');
    expectClose(grads[0]!, g.grads.x!, 1e-4, 1e-4, 'dx');
    expectClose(grads[1]!, g.grads.gamma!, 1e-4, 1e-4, 'dgamma');
  });

  it('agrees with the reference on random shapes (property)', async () => {
    await useMode(backend, mode);
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 24 }),
        fc.nat(),
        (rows, c, seed) => {
          const rng = new Random(seed);
          const x = Float32Array.from({ length: rows * c }, () => rng.normal(0, 3));
          const gamma = Float32Array.from({ length: c }, () => rng.normal(1, 0.5));
          const dy = Float32Array.from({ length: rows * c }, () => rng.normal(0, 1));
          const tensors = [ops.tensor(x, [rows, c]), ops.tensor(gamma)];
          const { value, grads } = valueAndGrads(f, tensors, dy);
          for (const t of tensors) t.dispose();
          const refGrad = rmsNormGradReference(dy, x, gamma, eps);
          expectClose(value, rmsNormReference(x, gamma, eps).y, 1e-4, 1e-4, 'y');
          expectClose(grads[0]!, refGrad.dx, 1e-3, 1e-3, 'dx');
          expectClose(grads[1]!, refGrad.dgamma, 1e-3, 1e-3, 'dgamma');
        },
      ),
      { numRuns: 30 },
    );
  });

  it('has gradients that match finite differences', async () => {
    await useMode(backend, mode);
    const rng = new Random(13);
    const x = Float32Array.from({ length: 12 }, () => rng.normal(0, 1));
    const gamma = Float32Array.from({ length: 4 }, () => rng.normal(1, 0.3));
    const dy = Float32Array.from({ length: 12 }, () => rng.normal(0, 1));
    const shapes = [[3, 4], [4]];
    const tensors = [ops.tensor(x, shapes[0]), ops.tensor(gamma)];
    const { grads } = valueAndGrads(f, tensors, dy);
    for (const t of tensors) t.dispose();
    for (const which of [0, 1]) {
      expectClose(
        grads[which]!,
        finiteDifferences(f, [x, gamma], shapes, which, dy),
        3e-3,
        3e-3,
        `d${which}`,
      );
    }
  });
});

describe('rmsNorm input checks', () => {
  it('refuses γ of the wrong length', async () => {
    await useMode('cpu', 'fast');
    expect(() => rmsNorm(ops.zeros([2, 3]), ops.ones([2]))).toThrow(
      /rmsNorm\(gamma\): expected shape \[3\]/,
    );
  });
});
