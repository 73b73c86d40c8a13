/**
 * Every matrix product shape a transformer makes — each transpose flag, batched, broadcast batch
 * axes, rank 4 — on the cpu and wasm backends, through ONNX Runtime and through the fallback
 * that runs without it, against the float64 reference.
 */
import { Random } from '@llmkit/numeric';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { initCompute } from '../compute.js';
import { tf } from '../internal/engine.js';
import { loadOnnxRuntime } from '../internal/onnxruntime.js';
import { leakCheck, scope } from '../memory.js';
import * as ops from '../ops.js';
import { batchMatMulKernel, matMulReference, matMulShape } from './batchMatMul.js';

const ort = loadOnnxRuntime();

/** Installs the matmul kernel built with or without ONNX Runtime on the current backend. */
function useKernel(withOrt: boolean): void {
  const backend = tf.getBackend();
  tf.unregisterKernel('BatchMatMul', backend);
  tf.registerKernel(
    batchMatMulKernel(backend, {
      engine: engineKernels.get(backend)!,
      transpose: tf.getKernel('Transpose', backend)!,
      reshape: tf.getKernel('Reshape', backend)!,
      ort: withOrt && !(ort instanceof Error) ? ort : undefined,
      threads: 1,
    }),
  );
}

const engineKernels = new Map<string, ReturnType<typeof tf.getKernel>>();

function check(aShape: number[], bShape: number[], ta: boolean, tb: boolean, seed: number): void {
  const rng = new Random(seed);
  const size = (s: number[]): number => s.reduce((x, y) => x * y, 1);
  const a = Float32Array.from({ length: size(aShape) }, () => rng.normal(0, 1));
  const b = Float32Array.from({ length: size(bShape) }, () => rng.normal(0, 1));
  const expected = matMulReference(a, aShape, b, bShape, ta, tb);
  const { outShape, k } = matMulShape(aShape, bShape, ta, tb);
  const [shape, values] = leakCheck(() =>
    scope(() => {
      const out = ops.matMul(ops.tensor(a, aShape), ops.tensor(b, bShape), ta, tb);
      return [out.shape, out.dataSync()] as const;
    }),
  );
  expect(shape).toEqual(outShape);
  const tolerance = 1e-5 * Math.sqrt(k) * 4;
  for (let i = 0; i < expected.length; i++) {
    expect(Math.abs(values[i]! - expected[i]!)).toBeLessThan(
      tolerance * (1 + Math.abs(expected[i]!)),
    );
  }
}

const FLAGS: [boolean, boolean][] = [
  [false, false],
  [false, true],
  [true, false],
  [true, true],
];

/** [a shape, b shape] before transposition flags are applied to the last two axes. */
function operandShapes(
  batchA: number[],
  batchB: number[],
  m: number,
  k: number,
  n: number,
  ta: boolean,
  tb: boolean,
): [number[], number[]] {
  return [
    [...batchA, ...(ta ? [k, m] : [m, k])],
    [...batchB, ...(tb ? [n, k] : [k, n])],
  ];
}

const CASES: {
  name: string;
  batchA: number[];
  batchB: number[];
  m: number;
  k: number;
  n: number;
}[] = [
  { name: 'matrix', batchA: [], batchB: [], m: 7, k: 5, n: 3 },
  { name: 'batched', batchA: [4], batchB: [4], m: 6, k: 8, n: 5 },
  { name: 'batched a, one b', batchA: [2, 3], batchB: [], m: 4, k: 6, n: 5 },
  { name: 'one a, batched b', batchA: [], batchB: [3], m: 4, k: 6, n: 5 },
  { name: 'broadcast axes of size 1', batchA: [2, 1], batchB: [1, 3], m: 3, k: 4, n: 2 },
  { name: 'attention-shaped', batchA: [2, 4], batchB: [2, 4], m: 16, k: 8, n: 16 },
  { name: 'inner dimension 1', batchA: [], batchB: [], m: 5, k: 1, n: 6 },
];

const paths =
  ort instanceof Error ? (['fallback'] as const) : (['onnxruntime', 'fallback'] as const);

describe.each(['cpu', 'wasm'] as const)('BatchMatMul on %s', (backend) => {
  afterAll(async () => {
    await initCompute({ backend, threads: 1 });
  });

  describe.each(paths)('through %s', (path) => {
    it.each(CASES)('$name, every transpose flag', async ({ batchA, batchB, m, k, n }) => {
      await initCompute({ backend, kernels: 'engine' });
      engineKernels.set(backend, tf.getKernel('BatchMatMul', backend));
      useKernel(path === 'onnxruntime');
      for (const [ta, tb] of FLAGS) {
        const [aShape, bShape] = operandShapes(batchA, batchB, m, k, n, ta, tb);
        check(aShape, bShape, ta, tb, m * 31 + k);
      }
    });

    it('agrees with the reference on random shapes (property)', async () => {
      await initCompute({ backend, kernels: 'engine' });
      engineKernels.set(backend, tf.getKernel('BatchMatMul', backend));
      useKernel(path === 'onnxruntime');
      const dim = fc.integer({ min: 1, max: 6 });
      const batch = fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 });
      fc.assert(
        fc.property(
          batch,
          fc.boolean(),
          dim,
          dim,
          dim,
          fc.boolean(),
          fc.boolean(),
          fc.nat(),
          (batchA, rightBatched, m, k, n, ta, tb, seed) => {
            const batchB = rightBatched ? batchA.map((d, i) => (i % 2 === 0 ? d : 1)) : [];
            const [aShape, bShape] = operandShapes(batchA, batchB, m, k, n, ta, tb);
            check(aShape, bShape, ta, tb, seed);
          },
        ),
        { numRuns: 60 },
      );
    });
  });

  it('is the kernel initCompute installs, and the gradient of a transposed product is right', async () => {
    const info = await initCompute({ backend, threads: 1 });
    expect(info.features.includes('onnxruntime')).toBe(!(ort instanceof Error));
    // d/dA Σ (A Bᵀ) = 1·B summed over rows: every row of dA is the column sums of Bᵀ's rows.
    const [dA] = ops.grads((a) =>
      ops.sum(
        ops.matMul(
          a,
          ops.tensor([
            [1, 2],
            [3, 4],
            [5, 6],
          ]),
          false,
          true,
        ),
      ),
    )([ops.ones([2, 2])]);
    expect(Array.from(dA!.dataSync())).toEqual([9, 12, 9, 12]);
  });
});

describe('matMulShape', () => {
  it('refuses mismatched inner dimensions and non-broadcasting batches with the shapes', () => {
    expect(() => matMulShape([2, 3], [4, 5], false, false)).toThrow(
      /inner dimensions of \[2,3\] and \[4,5\]/,
    );
    expect(() => matMulShape([2, 3, 4], [3, 4, 5], false, false)).toThrow(/do not broadcast/);
  });
});
