/**
 * Autograd through the curated ops on every backend that runs here, checked against central
 * finite differences: the gradients registered in `internal/engine.ts` must be present and right.
 */
import { logSigmoid as logSigmoidReference, Random } from '@llmkit/numeric';
import { describe, expect, it } from 'vitest';
import { webGpuUnavailable } from '../test/fusedTestKit.js';
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

/**
 * ops.logSigmoid inside a scope under autograd (how every loss uses it): values against
 * `@llmkit/numeric`'s float64 logSigmoid far into both tails, gradients against central
 * differences. tfjs-core's own logSigmoid fails here (its gradient reads a freed input).
 */
async function checkLogSigmoid(absoluteTolerance: number): Promise<void> {
  const xs = [-120, -30, -8, -1.5, -0.25, 0, 0.25, 1.5, 8, 30, 120];
  const input = ops.tensor1d(xs);
  const output = ops.logSigmoid(input);
  const values = await output.data();
  xs.forEach((x, i) => {
    const expected = logSigmoidReference(x);
    const tolerance = 1e-6 * Math.abs(expected) + absoluteTolerance;
    expect(Math.abs(values[i]! - expected), `logSigmoid(${x})`).toBeLessThanOrEqual(tolerance);
  });
  const rng = new Random(11);
  const x0 = Float32Array.from({ length: 6 }, () => rng.normal(0, 3));
  const weights = ops.tensor1d([1, -2, 0.5, 3, -1, 2]);
  // The input of logSigmoid is an intermediate of the differentiated function, freed by the
  // inner scope before the backward pass runs.
  const f = (x: Tensor): Tensor =>
    scope(() => ops.sum(ops.mul(ops.logSigmoid(ops.mul(x, 2)), weights)));
  const [g] = ops.grads(f)([ops.tensor1d(x0)]);
  const analytic = await g!.data();
  const numeric = await finiteDifferencesAsync(f, x0, [6]);
  numeric.forEach((n, i) => {
    expect(Math.abs(analytic[i]! - n)).toBeLessThan(2e-3 + 2e-3 * Math.abs(n));
  });
  // The closed form, σ(−2x)·2·w, at the extremes where a naive 1 − σ would lose every digit.
  const [tails] = ops.grads((x: Tensor) => ops.sum(ops.logSigmoid(x)))([ops.tensor1d([-40, 40])]);
  const [left, right] = await tails!.data();
  expect(left).toBe(1);
  expect(Math.abs(right! - Math.exp(-40)) / Math.exp(-40)).toBeLessThan(1e-5);
  dispose([input, output, weights, g!, tails!]);
}

/** {@link finiteDifferences} reading values asynchronously, so that it runs on WebGPU too. */
async function finiteDifferencesAsync(
  f: (x: Tensor) => Tensor,
  x0: Float32Array,
  shape: number[],
): Promise<number[]> {
  const h = 1e-2;
  const out: number[] = [];
  for (let i = 0; i < x0.length; i++) {
    const plus = Float32Array.from(x0);
    const minus = Float32Array.from(x0);
    plus[i]! += h;
    minus[i]! -= h;
    const [up, down] = [plus, minus].map((x) => scope(() => f(ops.tensor(x, shape))));
    out.push(((await up!.data())[0]! - (await down!.data())[0]!) / (plus[i]! - minus[i]!));
    dispose([up!, down!]);
  }
  return out;
}

describe.each(['cpu', 'wasm'] as const)('logSigmoid on %s', (backend) => {
  it('is stable in both tails and differentiates inside a scope', async () => {
    await initCompute({ backend });
    // Relative accuracy everywhere, but for e^-120, below float32's range.
    await checkLogSigmoid(1e-30);
  });
});

const noWebGpu = await webGpuUnavailable();

describe.skipIf(noWebGpu !== '')(
  `logSigmoid on webgpu${noWebGpu ? ` — skipped: ${noWebGpu}` : ''}`,
  () => {
    it('is stable in both tails and differentiates inside a scope', async () => {
      await initCompute({ backend: 'webgpu' });
      // The backend's softplus rounds 1 + e^-x to float32 before its log, so the tiny values at
      // large x are accurate to half an ulp of 1 (6e-8) absolute, not relative.
      await checkLogSigmoid(1e-7);
    }, 60_000);
  },
);
