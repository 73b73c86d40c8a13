import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { initCompute } from './compute.js';
import { GradientAccumulator } from './gradientAccumulator.js';
import { dispose, leakCheck, scope } from './memory.js';
import * as ops from './ops.js';
import type { Tensor } from './tensor.js';

beforeAll(async () => {
  await initCompute({ backend: 'cpu' });
});

describe('GradientAccumulator', () => {
  it('token-weighted micro-batches give the full-batch token-mean gradient', () => {
    // Loss = mean over tokens of (w·xₜ − yₜ)²; split 5 tokens into micro-batches of 2 and 3.
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: 10, maxLength: 10 }),
        fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: 5, maxLength: 5 }),
        (xs, ys) => {
          const w = ops.tensor([0.5, -1]);
          const x = ops.tensor(xs, [5, 2]);
          const y = ops.tensor(ys, [5]);
          const grad = (rows: number[]): Tensor =>
            scope(() => {
              const idx = ops.tensor1d(rows, 'int32');
              const f = (wt: Tensor) =>
                ops.mean(
                  ops.square(
                    ops.sub(ops.sum(ops.mul(ops.gather(x, idx), wt), 1), ops.gather(y, idx)),
                  ),
                );
              return ops.grads(f)([w])[0]!;
            });
          const full = grad([0, 1, 2, 3, 4]);
          const acc = new GradientAccumulator();
          const parts = [grad([0, 1]), grad([2, 3, 4])];
          acc.add({ w: parts[0]! }, 2);
          acc.add({ w: parts[1]! }, 3);
          const mean = acc.mean();
          const a = mean.w!.dataSync();
          const b = full.dataSync();
          for (let i = 0; i < 2; i++) expect(a[i]).toBeCloseTo(b[i]!, 4);
          expect(acc.count).toBe(2);
          expect(acc.totalWeight).toBe(5);
          acc.reset();
          dispose([w, x, y, full, parts, mean]);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('holds only its sums, and frees them on reset', () => {
    const g = ops.tensor([1, 2]);
    const acc = new GradientAccumulator();
    leakCheck(
      () => {
        acc.add({ a: g });
        acc.add({ a: g }, 3);
      },
      { allowTensors: 1, allowBytes: 8 },
    );
    const sum = acc.sum();
    expect(Array.from(sum.a!.dataSync())).toEqual([4, 8]);
    leakCheck(() => acc.reset(), { allowTensors: -1, allowBytes: -8 });
    dispose([g, sum]);
  });

  it('refuses mismatched names or shapes, zero weights and empty means', () => {
    const acc = new GradientAccumulator();
    expect(() => acc.mean()).toThrow(/GradientAccumulator\.mean: no gradients have been added/);
    const a = ops.tensor([1, 2]);
    const b = ops.tensor([1, 2, 3]);
    acc.add({ a });
    expect(() => acc.add({ b })).toThrow(/expected gradients for \[a\], received \[b\]/);
    expect(() => acc.add({ a: b })).toThrow(/shape \[3\] differs from the accumulated \[2\]/);
    expect(() => acc.add({ a }, 0)).toThrow(/GradientAccumulator\.add\(weight\)/);
    acc.reset();
    dispose([a, b]);
  });
});
