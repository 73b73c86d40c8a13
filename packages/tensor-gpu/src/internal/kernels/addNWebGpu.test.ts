import { describe, expect, it } from 'vitest';
import { webGpuUnavailable } from '../../../test/fusedTestKit.js';
import { clipGradNormAsync } from '../../clipGradNorm.js';
import { initCompute } from '../../compute.js';
import { dispose, leakCheck } from '../../memory.js';
import * as ops from '../../ops.js';
import type { Tensor } from '../../tensor.js';

const noWebGpu = await webGpuUnavailable();

describe.skipIf(noWebGpu !== '')(
  `AddN on webgpu${noWebGpu ? ` — skipped: ${noWebGpu}` : ''}`,
  () => {
    it.each([2, 7, 8, 9, 15, 50])('sums %i device tensors', async (n) => {
      await initCompute({ backend: 'webgpu' });
      // 5000 elements each: above the size the backend forwards to the CPU.
      const terms = Array.from({ length: n }, (_, i) => ops.mul(ops.ones([5000]), i + 1));
      const total = leakCheck(() => ops.addN(terms));
      const values = await total.data();
      expect(values[0]).toBe((n * (n + 1)) / 2);
      expect(values[4999]).toBe((n * (n + 1)) / 2);
      dispose([...terms, total]);
    });

    it('lets clipGradNorm measure a model-sized set of gradients', async () => {
      await initCompute({ backend: 'webgpu' });
      const gradients: Record<string, Tensor> = {};
      for (let i = 0; i < 30; i++) gradients[`w${i}`] = ops.mul(ops.ones([2000]), 0.01 * (i + 1));
      let squares = 0;
      for (let i = 0; i < 30; i++) squares += 2000 * (0.01 * (i + 1)) ** 2;
      const { gradients: clipped, totalNorm } = await clipGradNormAsync(gradients, 1);
      expect(totalNorm).toBeCloseTo(Math.sqrt(squares), 3);
      dispose([gradients, clipped]);
    });
  },
);
