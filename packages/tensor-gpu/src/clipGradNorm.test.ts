import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { webGpuUnavailable } from '../test/fusedTestKit.js';
import { expectClose, golden } from '../test/goldenOptimizers.js';
import { clipGradNorm, clipGradNormAsync } from './clipGradNorm.js';
import { initCompute } from './compute.js';
import { TensorError } from './errors.js';
import { dispose, leakCheck } from './memory.js';
import * as ops from './ops.js';
import type { Tensor } from './tensor.js';

interface ClipCase {
  maxNorm: number;
  normType: number | 'inf';
  totalNorm: number;
  w: number[];
  b: number[];
}
const cases = (golden as unknown as { clipGradNorm: ClipCase[] }).clipGradNorm;

function goldenGrads(): { w: Tensor; b: Tensor } {
  return { w: ops.tensor(golden.grads[0]!.w, [3, 4]), b: ops.tensor(golden.grads[0]!.b, [4]) };
}

const normTypeOf = (c: ClipCase): number =>
  c.normType === 'inf' ? Number.POSITIVE_INFINITY : c.normType;

/** The golden cases through both entry points, reading only asynchronously (as WebGPU must). */
async function checkGolden(c: ClipCase): Promise<void> {
  const grads = goldenGrads();
  const normType = normTypeOf(c);
  const onDevice = leakCheck(() => clipGradNorm(grads, c.maxNorm, { normType }));
  expect((await onDevice.totalNorm.data())[0]).toBeCloseTo(c.totalNorm, 4);
  expectClose(await onDevice.gradients.w.data(), c.w, 'w');
  expectClose(await onDevice.gradients.b.data(), c.b, 'b');
  const read = await leakCheck(() => clipGradNormAsync(grads, c.maxNorm, { normType }));
  expect(read.totalNorm).toBeCloseTo(c.totalNorm, 4);
  expectClose(await read.gradients.w.data(), c.w, 'w (async)');
  expectClose(await read.gradients.b.data(), c.b, 'b (async)');
  dispose([grads, onDevice, read.gradients]);
}

describe.each(['cpu', 'wasm'] as const)('clipGradNorm on %s', (backend) => {
  beforeAll(async () => {
    await initCompute({ backend });
  });

  it.each(cases)('equals torch clip_grad_norm_ (max $maxNorm, p = $normType)', checkGolden);

  it('reports and optionally refuses a non-finite norm, leaving nothing allocated', async () => {
    const grads = { w: ops.tensor([1, Number.NaN]) };
    const result = clipGradNorm(grads, 1);
    expect(result.totalNorm.dataSync()[0]).toBeNaN();
    const read = await clipGradNormAsync(grads, 1);
    expect(read.totalNorm).toBeNaN();
    await leakCheck(async () => {
      await expect(clipGradNormAsync(grads, 1, { errorIfNonfinite: true })).rejects.toThrow(
        /clipGradNormAsync\(gradients\): the total gradient norm is NaN/,
      );
    });
    dispose([grads, result, read.gradients]);
  });

  it('rejects int gradients, bad norm types, and errorIfNonfinite without a read', () => {
    const ints = { w: ops.tensor([1, 2], [2], 'int32') };
    expect(() => clipGradNorm(ints, 1)).toThrow(TensorError);
    expect(() => clipGradNorm({}, 1, { normType: -2 })).toThrow(/options\.normType/);
    const untyped = { errorIfNonfinite: true } as Parameters<typeof clipGradNorm>[2];
    expect(() => clipGradNorm({}, 1, untyped)).toThrow(
      /clipGradNorm\(options\.errorIfNonfinite\): .*call clipGradNormAsync/,
    );
    dispose(ints);
  });
});

describe('clipGradNorm properties (cpu)', () => {
  beforeAll(async () => {
    await initCompute({ backend: 'cpu' });
  });

  it('leaves a norm of min(norm, maxNorm) and the direction unchanged', async () => {
    const vector = fc.array(fc.float({ min: -100, max: 100, noNaN: true }), {
      minLength: 1,
      maxLength: 20,
    });
    await fc.assert(
      fc.asyncProperty(
        vector,
        vector,
        fc.double({ min: 0.01, max: 50, noNaN: true }),
        async (a, b, maxNorm) => {
          const grads = { a: ops.tensor1d(a), b: ops.tensor1d(b) };
          const { gradients, totalNorm } = await clipGradNormAsync(grads, maxNorm);
          const norm = Math.hypot(...a, ...b);
          expect(Math.abs(totalNorm - norm)).toBeLessThanOrEqual(1e-5 * (1 + norm));
          const coefficient = Math.min(1, maxNorm / (norm + 1e-6));
          const out = [...(await gradients.a.data()), ...(await gradients.b.data())];
          [...a, ...b].forEach((x, i) => {
            expect(Math.abs(out[i]! - x * coefficient)).toBeLessThanOrEqual(
              1e-5 * (1 + Math.abs(x)),
            );
          });
          expect(Math.hypot(...out)).toBeLessThanOrEqual(
            Math.min(norm, maxNorm) * (1 + 1e-5) + 1e-6,
          );
          dispose([grads, gradients]);
        },
      ),
      { numRuns: 50 },
    );
  });
});

const noWebGpu = await webGpuUnavailable();

describe.skipIf(noWebGpu !== '')(
  `clipGradNorm on webgpu${noWebGpu ? ` — skipped: ${noWebGpu}` : ''}`,
  () => {
    beforeAll(async () => {
      await initCompute({ backend: 'webgpu' });
    });

    it.each(cases)('equals torch clip_grad_norm_ (max $maxNorm, p = $normType)', checkGolden);

    it('clips gradients that live on the device, against a float64 host reference', async () => {
      // 4096 + 1500 elements: above the size under which the WebGPU backend computes on the CPU,
      // so the inputs, the norm and the clipped gradients are all device buffers.
      const host = [4096, 1500].map((n, k) =>
        Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37 + k) * (k + 1)),
      );
      const source = host.map((x) => ops.tensor1d(x));
      const grads = { w: ops.mul(source[0]!, 1), b: ops.mul(source[1]!, 1) };
      let squares = 0;
      for (const x of host) for (const v of x) squares += v * v;
      const norm = Math.sqrt(squares);
      const maxNorm = norm / 3;
      const onDevice = leakCheck(() => clipGradNorm(grads, maxNorm));
      const read = await leakCheck(() => clipGradNormAsync(grads, maxNorm));
      expect(read.totalNorm).toBeCloseTo(norm, 2);
      expect(Math.abs((await onDevice.totalNorm.data())[0]! - norm)).toBeLessThan(1e-5 * norm);
      for (const result of [onDevice.gradients, read.gradients]) {
        const w = await result.w.data();
        const b = await result.b.data();
        host[0]!.forEach((x, i) => {
          expect(Math.abs(w[i]! - x / 3)).toBeLessThan(1e-5);
        });
        host[1]!.forEach((x, i) => {
          expect(Math.abs(b[i]! - x / 3)).toBeLessThan(1e-5);
        });
      }
      dispose([source, grads, onDevice, read.gradients]);
    }, 60_000);
  },
);
