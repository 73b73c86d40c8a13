/**
 * causalSoftmax: the float64 reference against PyTorch (masked_fill with −inf, T < S); every
 * backend and kernel mode against the reference, value and gradient; finite differences; rows
 * sum to one and masked entries are exactly zero.
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
import { causalSoftmax } from './causalSoftmax.js';
import { causalSoftmaxGradReference, causalSoftmaxReference } from './kernels/causalSoftmax.js';
import { leakCheck, scope } from './memory.js';
import * as ops from './ops.js';
import type { Tensor } from './tensor.js';

const g = golden.causal_softmax!;
const scale = g.scale!;
const [, , T, S] = g.inputs.x!.shape as [number, number, number, number];

describe('causalSoftmax reference', () => {
  it('matches PyTorch in float64, value and gradient', () => {
    const y = causalSoftmaxReference(g.inputs.x!.values, T, S, scale);
    expectClose(y, g.output.values, 1e-14, 1e-12, 'y');
    expectClose(causalSoftmaxGradReference(g.dy, y, S, scale), g.grads.x!, 1e-14, 1e-12, 'dx');
  });
});

describe.each(HOST_MODES)('causalSoftmax on %s, %s kernels', (backend, mode) => {
  const f = (x: Tensor): Tensor => causalSoftmax(x, scale);

  it('matches the PyTorch golden case, value and gradient', async () => {
    await useMode(backend, mode);
    const x = ops.tensor(g.inputs.x!.values, g.inputs.x!.shape);
    const { value, grads } = leakCheck(() => valueAndGrads(f, [x], g.dy));
    x.dispose();
    expectClose(value, g.output.values, 1e-6, 1e-5, 'y');
    expectClose(grads[0]!, g.grads.x!, 1e-6, 1e-5, 'dx');
  });

  it('gives rows that sum to 1 with exact zeros above the diagonal, like the reference (property)', async () => {
    await useMode(backend, mode);
    const dim = fc.integer({ min: 1, max: 7 });
    fc.assert(
      fc.property(
        dim,
        dim,
        fc.integer({ min: 1, max: 3 }),
        fc.double({ min: 0.01, max: 4, noNaN: true }),
        fc.nat(),
        (t, extra, batch, k, seed) => {
          const s = t + (extra % 3);
          const rng = new Random(seed);
          const x = Float32Array.from({ length: batch * t * s }, () => rng.normal(0, 5));
          const dy = Float32Array.from({ length: batch * t * s }, () => rng.normal(0, 1));
          const { value, grads } = valueAndGrads(
            (v) => causalSoftmax(v, k),
            [ops.tensor(x, [batch, t, s])],
            dy,
          );
          const y = causalSoftmaxReference(x, t, s, k);
          expectClose(value, y, 1e-6, 1e-5, 'y');
          expectClose(grads[0]!, causalSoftmaxGradReference(dy, y, s, k), 1e-5, 1e-4, 'dx');
          for (let row = 0; row < batch * t; row++) {
            const visible = (row % t) + (s - t) + 1;
            let total = 0;
            for (let j = 0; j < s; j++) {
              if (j >= visible) expect(value[row * s + j]).toBe(0);
              total += value[row * s + j]!;
            }
            expect(total).toBeCloseTo(1, 5);
          }
        },
      ),
      { numRuns: 30 },
    );
  });

  it('survives scores that overflow exp without the max shift', async () => {
    await useMode(backend, mode);
    const y = scope(() =>
      causalSoftmax(
        ops.tensor([
          [1000, 0],
          [1000, 1000],
        ]),
        1,
      ).dataSync(),
    );
    expect(Array.from(y)).toEqual([1, 0, 0.5, 0.5]);
  });

  it('has a gradient that matches finite differences', async () => {
    await useMode(backend, mode);
    const rng = new Random(3);
    const x = Float32Array.from({ length: 2 * 3 * 4 }, () => rng.normal(0, 1));
    const dy = Float32Array.from({ length: 2 * 3 * 4 }, () => rng.normal(0, 1));
    const { grads } = valueAndGrads(f, [ops.tensor(x, [2, 3, 4])], dy);
    expectClose(grads[0]!, finiteDifferences(f, [x], [[2, 3, 4]], 0, dy), 2e-3, 2e-3, 'fd');
  });
});

describe('causalSoftmax input checks', () => {
  it('refuses more queries than keys and a non-finite scale', async () => {
    await useMode('cpu', 'fast');
    expect(() => causalSoftmax(ops.zeros([3, 2]))).toThrow(/must not outnumber the keys/);
    expect(() => causalSoftmax(ops.zeros([2, 2]), Number.NaN)).toThrow(/causalSoftmax\(scale\)/);
  });
});
