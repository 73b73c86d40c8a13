import { describe, expect, it } from 'vitest';
import { countMatmulFlops, matmulFlops, measurePeakFlops, mfu } from './accounting.js';
import { computeInfo, initCompute } from './compute.js';
import { TensorError } from './errors.js';
import { dispose } from './memory.js';
import * as ops from './ops.js';
import type { Tensor } from './tensor.js';

describe('matmulFlops', () => {
  it('is 2·batch·m·k·n and refuses fractional sizes', () => {
    expect(matmulFlops(3, 4, 5)).toBe(120);
    expect(matmulFlops(3, 4, 5, 2)).toBe(240);
    expect(() => matmulFlops(1.5, 1, 1)).toThrow(/matmulFlops\(m\)/);
  });
});

describe('countMatmulFlops', () => {
  it('counts a linear layer as 2BKN forward and 6BKN with its two gradients', async () => {
    await initCompute({ backend: 'cpu' });
    const [B, K, N] = [4, 8, 16];
    const x = ops.randomNormal([B, K], 0, 1, 'float32', 1);
    const w = ops.randomNormal([K, N], 0, 1, 'float32', 2);
    const forward = await countMatmulFlops(() => ops.matMul(x, w));
    expect(forward.flops).toBe(2 * B * K * N);
    expect(forward.matmuls).toBe(1);
    const training = await countMatmulFlops(() =>
      ops.grads((a: Tensor, b: Tensor) => ops.sum(ops.matMul(a, b)))([x, w]),
    );
    expect(training.flops).toBe(6 * B * K * N);
    expect(training.matmuls).toBe(3);
    dispose([x, w, forward.result, training.result]);
  });

  it('counts batched and transposed products', async () => {
    await initCompute({ backend: 'cpu' });
    const q = ops.zeros([2, 3, 5, 7]); // [B, heads, T, d]
    const counted = await countMatmulFlops(() => ops.matMul(q, q, false, true)); // [B, h, T, T]
    expect(counted.flops).toBe(2 * 2 * 3 * 5 * 5 * 7);
    const t = await countMatmulFlops(() =>
      ops.matMul(ops.zeros([7, 5]), ops.zeros([7, 3]), true, false),
    );
    expect(t.flops).toBe(2 * 5 * 7 * 3);
    dispose([q, counted.result, t.result]);
  });
});

describe('measurePeakFlops and mfu', () => {
  it('measures once per device, caches across backend switches, and feeds mfu', async () => {
    await initCompute({ backend: 'wasm' });
    const peak = await measurePeakFlops({ maxSize: 256, budgetMs: 30 });
    expect(peak).toBeGreaterThan(1e8);
    expect(computeInfo()?.peakFlops).toBe(peak);
    await initCompute({ backend: 'cpu' });
    expect(computeInfo()?.peakFlops).toBeUndefined();
    await initCompute({ backend: 'wasm' });
    expect(computeInfo()?.peakFlops).toBe(peak);
    expect(await measurePeakFlops()).toBe(peak);
    expect(mfu({ flops: peak / 4, seconds: 1 })).toBeCloseTo(0.25, 12);
    expect(mfu({ flops: 50, seconds: 2, peakFlops: 100 })).toBe(0.25);
  });

  it('explains what is missing', async () => {
    await initCompute({ backend: 'cpu' });
    const error = (() => {
      try {
        return mfu({ flops: 1, seconds: 1 });
      } catch (e) {
        return e as TensorError;
      }
    })();
    expect(error).toBeInstanceOf(TensorError);
    expect((error as TensorError).code).toBe('UNAVAILABLE');
    expect(() => mfu({ flops: 1, seconds: 0, peakFlops: 1 })).toThrow(/mfu\(input\.seconds\)/);
    const controller = new AbortController();
    controller.abort();
    await expect(measurePeakFlops({ refresh: true, signal: controller.signal })).rejects.toThrow(
      /measurePeakFlops\(options\.signal\): the probe was cancelled/,
    );
  });
});
