import { describe, expect, it } from 'vitest';
import { initCompute } from '../compute.js';
import { dispose, memoryReport } from '../memory.js';
import * as ops from '../ops.js';
import type { Tensor } from '../tensor.js';

describe.each(['cpu', 'wasm'] as const)('Identity on %s', (backend) => {
  it('clones without a second buffer, and the clone outlives the original', async () => {
    await initCompute({ backend });
    const x = ops.tensor2d([
      [1, 2],
      [3, 4],
    ]);
    const before = memoryReport().dataBuffers;
    const y = ops.clone(x);
    expect(memoryReport().dataBuffers).toBe(before);
    dispose(x);
    expect(Array.from(y.dataSync())).toEqual([1, 2, 3, 4]);
    dispose(y);
    expect(memoryReport().dataBuffers).toBe(before - 1);
  });

  it('keeps gradients right where autodiff saves clones of its inputs', async () => {
    await initCompute({ backend });
    const x = ops.tensor1d([0.5, -1, 2]);
    // d/dx Σ exp(x)·x = exp(x)·(1 + x); Exp saves its output and Multiply both inputs
    const [g] = ops.grads((t: Tensor) => ops.sum(ops.mul(ops.exp(t), t)))([x]);
    const expected = [0.5, -1, 2].map((v) => Math.exp(v) * (1 + v));
    Array.from(g!.dataSync()).forEach((v, i) => {
      expect(v).toBeCloseTo(expected[i]!, 5);
    });
    dispose([x, g!]);
  });
});
