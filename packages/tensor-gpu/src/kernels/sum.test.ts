/**
 * Sum over contiguous axes (the kernels' column-sum path: ONNX Runtime, JavaScript) and over every
 * other axis pattern (the engine's kernel), on cpu and wasm, against the float64 reference.
 */
import { Random } from '@llmkit/numeric';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HOST_MODES, useMode } from '../../test/fusedTestKit.js';
import { leakCheck, scope } from '../memory.js';
import * as ops from '../ops.js';
import { sumBlocks, sumReference } from './sum.js';

function expectSum(
  shape: number[],
  axis: number | number[] | undefined,
  keepDims: boolean,
  seed: number,
): void {
  const rng = new Random(seed);
  const x = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal(0, 1));
  const rank = shape.length;
  const axes =
    axis === undefined
      ? shape.map((_, i) => i)
      : (Array.isArray(axis) ? axis : [axis]).map((a) => (a < 0 ? a + rank : a));
  // Reference through a transpose to [kept…, reduced…], then [outer=kept, reduced, inner=1].
  const kept = shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const perm = [...kept, ...axes.slice().sort((a, b) => a - b)];
  const transposed = scope(() => ops.transpose(ops.tensor(x, shape), perm).dataSync());
  const outer = kept.reduce((a, i) => a * shape[i]!, 1);
  const reduced = axes.reduce((a, i) => a * shape[i]!, 1);
  const expected = new Float32Array(outer);
  sumReference(transposed, outer, reduced, 1, expected);
  const expectedShape = keepDims
    ? shape.map((d, i) => (axes.includes(i) ? 1 : d))
    : kept.map((i) => shape[i]!);

  const [outShape, values] = leakCheck(() =>
    scope(() => {
      const out = ops.sum(ops.tensor(x, shape), axis, keepDims);
      return [out.shape, out.dataSync()] as const;
    }),
  );
  expect(outShape).toEqual(expectedShape);
  for (let i = 0; i < expected.length; i++) {
    expect(values[i]).toBeCloseTo(expected[i]!, 4);
  }
}

describe.each(HOST_MODES)('Sum on %s, %s kernels', (backend, mode) => {
  it.each([
    { shape: [64, 5], axis: 0, keepDims: false, name: 'column sums (bias gradient)' },
    { shape: [4, 6, 5], axis: [0, 1], keepDims: true, name: 'two leading axes, dims kept' },
    { shape: [3, 7, 4], axis: 1, keepDims: false, name: 'a middle axis' },
    { shape: [3, 7, 4], axis: -2, keepDims: true, name: 'a negative axis' },
    { shape: [5, 6], axis: 1, keepDims: false, name: 'innermost axis (engine)' },
    { shape: [2, 3, 4], axis: [0, 2], keepDims: false, name: 'non-contiguous axes (engine)' },
    { shape: [2, 3, 4], axis: undefined, keepDims: false, name: 'every axis (engine)' },
  ])('$name', async ({ shape, axis, keepDims }) => {
    await useMode(backend, mode);
    expectSum(shape, axis, keepDims, shape.length * 7 + shape[0]!);
  });

  it('int32 sums stay exact (engine)', async () => {
    await useMode(backend, mode);
    const out = scope(() =>
      ops
        .sum(
          ops.tensor(
            [
              [1, 2],
              [3, 4],
            ],
            [2, 2],
            'int32',
          ),
          0,
        )
        .dataSync(),
    );
    expect(Array.from(out)).toEqual([4, 6]);
  });

  it('agrees with the reference for any contiguous block of axes (property)', async () => {
    await useMode(backend, mode);
    const shape = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 });
    fc.assert(
      fc.property(
        shape,
        fc.nat(),
        fc.nat(),
        fc.boolean(),
        fc.nat(),
        (s, from, length, keepDims, seed) => {
          const first = from % s.length;
          const last = first + (length % (s.length - first));
          const axes = Array.from({ length: last - first + 1 }, (_, i) => first + i);
          expectSum(s, axes, keepDims, seed);
        },
      ),
      { numRuns: 50 },
    );
  });
});

describe('sumBlocks', () => {
  it('splits a shape into [outer, reduced, inner] or says the axes are not contiguous', () => {
    expect(sumBlocks([2, 3, 4, 5], [1, 2])).toEqual([2, 12, 5]);
    expect(sumBlocks([2, 3, 4, 5], -1)).toEqual([24, 5, 1]);
    expect(sumBlocks([2, 3, 4, 5], null)).toEqual([1, 120, 1]);
    expect(sumBlocks([2, 3, 4, 5], [0, 2])).toBeUndefined();
  });
});
