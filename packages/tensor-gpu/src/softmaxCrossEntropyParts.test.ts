/**
 * softmaxCrossEntropyParts: loss, log-sum-exp and Σ log p with gradients through any combination
 * of them, on every backend and kernel mode against the float64 reference; exactness for huge
 * logits; memory (logits and the gradient, nothing of size [N, V] kept between the passes); the
 * composed path on WebGPU where an adapter exists.
 */
import { Random } from '@llmkit/numeric';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  expectClose,
  finiteDifferences,
  HOST_MODES,
  useMode,
  webGpuUnavailable,
} from '../test/fusedTestKit.js';
import { initCompute } from './compute.js';
import {
  softmaxCrossEntropyGradReference,
  softmaxCrossEntropyReference,
} from './kernels/softmaxCrossEntropy.js';
import { dispose, leakCheck, memoryReport, scope } from './memory.js';
import * as ops from './ops.js';
import { softmaxCrossEntropyParts } from './softmaxCrossEntropy.js';
import type { Tensor } from './tensor.js';

/** Σ(dLoss·loss + dLse·lse + dSum·logProbSum): a scalar that reaches all three outputs. */
function objective(labels: Tensor, ignoreIndex: number, up: [Tensor, Tensor, Tensor]) {
  return (x: Tensor): Tensor => {
    const { loss, logSumExp, logProbSum } = softmaxCrossEntropyParts(x, labels, {
      ignoreIndex,
      logProbSum: true,
    });
    return ops.addN([
      ops.sum(ops.mul(loss, up[0])),
      ops.sum(ops.mul(logSumExp, up[1])),
      ops.sum(ops.mul(logProbSum!, up[2])),
    ]);
  };
}

interface Drawn {
  logits: Float32Array;
  labels: Int32Array;
  up: [Float32Array, Float32Array, Float32Array];
}

function draw(seed: number, n: number, v: number, ignoreIndex: number, spread = 6): Drawn {
  const rng = new Random(seed);
  const column = (sd: number) => Float32Array.from({ length: n }, () => rng.normal(0, sd));
  return {
    logits: Float32Array.from({ length: n * v }, () => rng.normal(0, spread)),
    labels: Int32Array.from({ length: n }, () => (rng.uniform() < 0.25 ? ignoreIndex : rng.int(v))),
    // Σ log p enters losses divided by V (label smoothing's mean), so its upstream is ~1/V: the
    // gradient's two terms, (… − V·dsum)·p and dsum, then stay of the size of the result.
    up: [column(1), column(1), column(1 / v)],
  };
}

/** Values of the three outputs and the gradient of {@link objective}, on the current backend. */
function evaluate(d: Drawn, shape: number[], ignoreIndex: number) {
  return leakCheck(() =>
    scope(() => {
      const x = ops.tensor(d.logits, shape);
      const labels = ops.tensor(d.labels, shape.slice(0, -1), 'int32');
      const up = d.up.map((u) => ops.tensor(u, shape.slice(0, -1))) as [Tensor, Tensor, Tensor];
      const out = softmaxCrossEntropyParts(x, labels, { ignoreIndex, logProbSum: true });
      const [grad] = ops.grads(objective(labels, ignoreIndex, up))([x]);
      return {
        loss: out.loss.dataSync() as Float32Array,
        lse: out.logSumExp.dataSync() as Float32Array,
        sum: out.logProbSum!.dataSync() as Float32Array,
        grad: grad!.dataSync() as Float32Array,
      };
    }),
  );
}

function expectReference(d: Drawn, got: ReturnType<typeof evaluate>, ignoreIndex: number): void {
  const ref = softmaxCrossEntropyReference(d.logits, d.labels, ignoreIndex);
  expectClose(got.loss, ref.loss, 1e-5, 1e-5, 'loss');
  expectClose(got.lse, ref.lse, 1e-5, 1e-6, 'lse');
  expectClose(got.sum, ref.logProbSum, 1e-4, 1e-5, 'logProbSum');
  const refGrad = softmaxCrossEntropyGradReference(d.up[0], d.logits, d.labels, ignoreIndex, {
    lse: d.up[1],
    logProbSum: d.up[2],
  });
  expectClose(got.grad, refGrad, 1e-5, 1e-4, 'dlogits');
}

describe.each(HOST_MODES)('softmaxCrossEntropyParts on %s, %s kernels', (backend, mode) => {
  it('agrees with the reference, gradients through all three outputs (property)', async () => {
    await useMode(backend, mode);
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 7 }),
        fc.integer({ min: 1, max: 40 }),
        fc.constantFrom(-100, 0),
        fc.nat(),
        (n, v, ignoreIndex, seed) => {
          const d = draw(seed, n, v, ignoreIndex);
          expectReference(d, evaluate(d, [n, v], ignoreIndex), ignoreIndex);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('takes any leading shape; ONNX Runtime kernels cross row blocks (52 rows at V = 5,000)', async () => {
    await useMode(backend, mode);
    const [b, t, v] = mode === 'fast' ? [7, 10, 5000] : [2, 3, 500];
    const d = draw(3, b * t, v, -100, 3);
    expectReference(d, evaluate(d, [b, t, v], -100), -100);
  });

  it('loses nothing to float32 for logits of ±1e4', async () => {
    await useMode(backend, mode);
    const row = [1e4, 1e4 - 1, 1e4 - 2, -1e4, 3];
    const d: Drawn = {
      logits: Float32Array.from([...row, ...row.map((x) => -x)]),
      labels: Int32Array.of(1, 4),
      up: [Float32Array.of(1, 1), Float32Array.of(0, 0), Float32Array.of(0, 0)],
    };
    const got = evaluate(d, [2, 5], -100);
    const ref = softmaxCrossEntropyReference(d.logits, d.labels, -100);
    expectClose(got.loss, ref.loss, 0, 1e-6, 'loss'); // 1.40761 and 20003.0
    expectClose(got.sum, ref.logProbSum, 0, 1e-6, 'logProbSum');
  });

  it('has gradients that match finite differences', async () => {
    await useMode(backend, mode);
    const d = draw(5, 3, 5, -100, 1);
    d.labels.set([4, -100, 2]);
    const labels = ops.tensor(d.labels, [3], 'int32');
    const up = d.up.map((u) => ops.tensor(u, [3])) as [Tensor, Tensor, Tensor];
    const f = objective(labels, -100, up);
    const got = evaluate(d, [3, 5], -100);
    expectClose(got.grad, finiteDifferences(f, [d.logits], [[3, 5]], 0, [1]), 2e-3, 2e-3, 'fd');
    dispose([labels, ...up]);
  });

  it('holds the logits and the gradient, no probabilities, across a training pass', async () => {
    await useMode(backend, mode);
    const [n, v] = [32, 2000];
    const big = n * v * 4;
    const logits = ops.randomNormal([n, v], 0, 2, 'float32', 1);
    const labels = ops.tensor1d(
      Array.from({ length: n }, (_, i) => (i * 37) % v),
      'int32',
    );
    const before = memoryReport().bytes;
    const profile = await ops.profile(() =>
      dispose(
        ops.grads((x: Tensor) => {
          const { loss, logProbSum } = softmaxCrossEntropyParts(x, labels, { logProbSum: true });
          return ops.sub(ops.mean(loss), ops.mul(ops.mean(logProbSum!), 1e-3));
        })([logits]),
      ),
    );
    // The engine counts bytes per tensor object, so the clone autodiff keeps of the logits counts
    // as one [N, V]; the gradient is the other. The composition's forward holds two transients
    // (x − max and its exp), its backward two (the probabilities and their scaled copy).
    const allowed = mode === 'engine' ? 4 : 2;
    expect(profile.peakBytes - before).toBeLessThanOrEqual(allowed * big + 64 * 1024);
    dispose([logits, labels]);
  });
});

const noWebGpu = await webGpuUnavailable();

describe.skipIf(noWebGpu !== '')(
  `softmaxCrossEntropyParts on webgpu (composed)${noWebGpu ? ` — skipped: ${noWebGpu}` : ''}`,
  () => {
    it('agrees with the reference, values and gradient', async () => {
      await initCompute({ backend: 'webgpu' });
      const d = draw(9, 6, 37, -100);
      const shape = [2, 3, 37];
      const x = ops.tensor(d.logits, shape);
      const labels = ops.tensor(d.labels, [2, 3], 'int32');
      const up = d.up.map((u) => ops.tensor(u, [2, 3])) as [Tensor, Tensor, Tensor];
      const out = softmaxCrossEntropyParts(x, labels, { logProbSum: true });
      const [grad] = ops.grads(objective(labels, -100, up))([x]);
      const got = {
        loss: await out.loss.data(),
        lse: await out.logSumExp.data(),
        sum: await out.logProbSum!.data(),
        grad: await grad!.data(),
      } as ReturnType<typeof evaluate>;
      dispose([x, labels, ...up, out.loss, out.logSumExp, out.logProbSum!, grad!]);
      expectReference(d, got, -100);
    }, 60_000);
  },
);
