/**
 * Autograd through the curated ops on every backend that runs here, checked against central
 * finite differences: the gradients registered in `internal/engine.ts` must be present and right.
 */
import { Random } from '@llmkit/numeric';
import { describe, expect, it } from 'vitest';
import { initCompute } from './compute.js';
import { dispose, scope } from './memory.js';
import * as ops from './ops.js';
import type { Tensor } from './tensor.js';

/** Central differences of a scalar function of one tensor, in float64 around float32 values. */
function finiteDifferences(f: (x: Tensor) => Tensor, x0: Float32Array, shape: number[]): number[] {
  const h = 1e-2;
  const value = (x: Float32Array): number => scope(() => f(ops.tensor(x, shape)).dataSync()[0]!);
  return Array.from(x0, (_, i) => {
    const plus = Float32Array.from(x0);
    const minus = Float32Array.from(x0);
    plus[i]! += h;
    minus[i]! -= h;
    return (value(plus) - value(minus)) / (2 * h);
  });
}

function randomArray(rng: Random, n: number): Float32Array {
  return Float32Array.from({ length: n }, () => rng.normal(0, 1));
}

// A small transformer-shaped function: embedding lookup, layer norm, GELU (erf), attention-like
// softmax over a masked matmul with a transposed operand, log-softmax cross-entropy.
function miniBlock(embedding: Tensor, w: Tensor): Tensor {
  const ids = ops.tensor1d([2, 0, 2, 1], 'int32');
  const x = ops.gather(embedding, ids); // [T=4, C=3]
  const { mean, variance } = ops.moments(x, -1, true);
  const normed = ops.mul(ops.sub(x, mean), ops.rsqrt(ops.add(variance, 1e-5)));
  const h = ops.matMul(normed, w); // [4, 3]
  const gelu = ops.mul(ops.mul(h, 0.5), ops.add(1, ops.erf(ops.mul(h, Math.SQRT1_2))));
  const scores = ops.matMul(gelu, h, false, true); // [4, 4]
  const causal = ops.bandPart(ops.ones([4, 4]), -1, 0);
  const masked = ops.where(ops.cast(causal, 'bool'), scores, ops.fill([4, 4], -1e9));
  const attended = ops.matMul(ops.softmax(masked), gelu); // [4, 3]
  const logits = ops.matMul(attended, embedding, false, true); // [4, V=3]
  const targets = ops.oneHot(ops.tensor1d([0, 2, 1, 1], 'int32'), 3);
  return ops.neg(ops.mean(ops.sum(ops.mul(targets, ops.logSoftmax(logits)), -1)));
}

describe.each(['cpu', 'wasm'] as const)('gradients on %s', (backend) => {
  it('match finite differences through a transformer-shaped function', async () => {
    await initCompute({ backend });
    const rng = new Random(7);
    const e0 = randomArray(rng, 9);
    const w0 = randomArray(rng, 9);
    const w = ops.tensor(w0, [3, 3]);
    const [gradE] = ops.grads((e: Tensor) => miniBlock(e, w))([ops.tensor(e0, [3, 3])]);
    const numeric = finiteDifferences((e) => miniBlock(e, w), e0, [3, 3]);
    const analytic = Array.from(gradE!.dataSync());
    for (let i = 0; i < numeric.length; i++) {
      expect(Math.abs(analytic[i]! - numeric[i]!)).toBeLessThan(
        2e-3 + 2e-3 * Math.abs(numeric[i]!),
      );
    }
    dispose([w, gradE!]);
  });

  it('embedding gradients sum repeated ids (gather → UnsortedSegmentSum)', async () => {
    await initCompute({ backend });
    const table = ops.tensor2d([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    const ids = ops.tensor1d([2, 2, 0, 0], 'int32');
    const [g] = ops.grads((t: Tensor) => ops.sum(ops.gather(t, ids)))([table]);
    expect(Array.from(g!.dataSync())).toEqual([2, 2, 0, 0, 2, 2]);
    dispose([table, ids, g!]);
  });
});

describe.each(['cpu', 'wasm'] as const)('ops added for losses on %s', (backend) => {
  it('stopGradient passes values through and blocks their gradient', async () => {
    await initCompute({ backend });
    const x = ops.tensor1d([1, -2, 3]);
    // d/dx [x² + stop(x)·x] = 2x + stop(x) = 3x, not 4x.
    const [g] = ops.grads((t: Tensor) =>
      ops.sum(ops.add(ops.square(t), ops.mul(ops.stopGradient(t), t))),
    )([x]);
    expect(Array.from(g!.dataSync())).toEqual([3, -6, 9]);
    expect(Array.from(ops.stopGradient(x).dataSync())).toEqual([1, -2, 3]);
    dispose([x, g!]);
  });

  it('tensorScatterUpdate replaces the addressed entries of a copy', async () => {
    await initCompute({ backend });
    const x = ops.tensor2d([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const indices = ops.tensor2d(
      [
        [0, 2],
        [1, 0],
      ],
      [2, 2],
      'int32',
    );
    const y = ops.tensorScatterUpdate(x, indices, ops.tensor1d([-1, -4]));
    expect(Array.from(y.dataSync())).toEqual([1, 2, -1, -4, 5, 6]);
    expect(Array.from(x.dataSync())).toEqual([1, 2, 3, 4, 5, 6]);
    dispose([x, indices, y]);
  });

  it('profile reports the peak bytes of a function', async () => {
    await initCompute({ backend });
    const info = await ops.profile(() => {
      const a = ops.zeros([256]); // 1 KiB
      const b = ops.add(a, 1); // a second KiB while a is alive
      a.dispose();
      b.dispose();
    });
    expect(info.peakBytes).toBeGreaterThanOrEqual(2048);
    expect(info.newBytes).toBe(0);
  });
});
