/**
 * softmaxCrossEntropy: the float64 reference against PyTorch's cross_entropy (ignore_index
 * included); every backend and kernel mode against the reference, value and gradient; finite
 * differences; huge logits; bad labels.
 */
import { Random } from '@llmkit/numeric';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  expectClose,
  finiteDifferences,
  golden,
  HOST_MODES,
  useMode,
  valueAndGrads,
} from '../test/fusedTestKit.js';
import {
  softmaxCrossEntropyGradReference,
  softmaxCrossEntropyReference,
} from './kernels/softmaxCrossEntropy.js';
import { leakCheck, scope } from './memory.js';
import * as ops from './ops.js';
import { softmaxCrossEntropy } from './softmaxCrossEntropy.js';
import type { Tensor } from './tensor.js';

const g = golden.softmax_cross_entropy!;
const logits0 = g.inputs.logits!;
const labels0 = g.inputs.labels!.values;

describe('softmaxCrossEntropy reference', () => {
  it('matches PyTorch in float64, ignored rows included', () => {
    const { loss } = softmaxCrossEntropyReference(logits0.values, labels0, -100);
    expectClose(loss, g.output.values, 1e-12, 1e-12, 'loss');
    const grad = softmaxCrossEntropyGradReference(g.dy, logits0.values, labels0, -100);
    expectClose(grad, g.grads.logits!, 1e-14, 1e-12, 'dlogits');
  });
});

describe.each(HOST_MODES)('softmaxCrossEntropy on %s, %s kernels', (backend, mode) => {
  it('matches the PyTorch golden case, value and gradient', async () => {
    await useMode(backend, mode);
    const labels = ops.tensor(labels0, [labels0.length], 'int32');
    const logits = ops.tensor(logits0.values, logits0.shape);
    const f = (l: Tensor): Tensor => softmaxCrossEntropy(l, labels);
    const { value, grads } = leakCheck(() => valueAndGrads(f, [logits], g.dy));
    labels.dispose();
    logits.dispose();
    expectClose(value, g.output.values, 1e-5, 1e-5, 'loss');
    expectClose(grads[0]!, g.grads.logits!, 1e-6, 1e-5, 'dlogits');
  });

  it('agrees with the reference for any ignore index and shape (property)', async () => {
    await useMode(backend, mode);
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 2, max: 17 }),
        fc.constantFrom(-100, -1, 0),
        fc.nat(),
        (t, b, v, ignoreIndex, seed) => {
          const rng = new Random(seed);
          const logits = Float32Array.from({ length: b * t * v }, () => rng.normal(0, 6));
          const labels = Int32Array.from({ length: b * t }, () =>
            rng.uniform() < 0.2 ? ignoreIndex : rng.int(v),
          );
          const dy = Float32Array.from({ length: b * t }, () => rng.normal(0, 1));
          const labelTensor = ops.tensor(labels, [b, t], 'int32');
          const { value, grads } = valueAndGrads(
            (l) => softmaxCrossEntropy(l, labelTensor, { ignoreIndex }),
            [ops.tensor(logits, [b, t, v])],
            dy,
          );
          labelTensor.dispose();
          const ref = softmaxCrossEntropyReference(logits, labels, ignoreIndex);
          expectClose(value, ref.loss, 1e-4, 1e-5, 'loss');
          const refGrad = softmaxCrossEntropyGradReference(dy, logits, labels, ignoreIndex);
          expectClose(grads[0]!, refGrad, 1e-5, 1e-4, 'dlogits');
          for (const x of value) expect(x).toBeGreaterThanOrEqual(0);
        },
      ),
      { numRuns: 30 },
    );
  });

  it('stays finite for logits far beyond exp’s range', async () => {
    await useMode(backend, mode);
    const loss = scope(() =>
      softmaxCrossEntropy(ops.tensor([[1000, 0, -1000]]), ops.tensor([1], [1], 'int32')).dataSync(),
    );
    expect(loss[0]).toBeCloseTo(1000, 3);
  });

  it('has a gradient that matches finite differences', async () => {
    await useMode(backend, mode);
    const rng = new Random(11);
    const x = Float32Array.from({ length: 3 * 5 }, () => rng.normal(0, 1));
    const dy = Float32Array.from({ length: 3 }, () => rng.normal(0, 1));
    const labels = ops.tensor([4, 0, 2], [3], 'int32');
    const f = (l: Tensor): Tensor => softmaxCrossEntropy(l, labels);
    const { grads } = valueAndGrads(f, [ops.tensor(x, [3, 5])], dy);
    expectClose(grads[0]!, finiteDifferences(f, [x], [[3, 5]], 0, dy), 2e-3, 2e-3, 'fd');
    labels.dispose();
  });
});

describe('softmaxCrossEntropy input checks', () => {
  it.each([['fast'], ['portable']] as const)(
    'names an out-of-range label (%s kernels)',
    async (mode) => {
      await useMode('wasm', mode);
      expect(() =>
        scope(() => softmaxCrossEntropy(ops.zeros([2, 3]), ops.tensor([1, 3], [2], 'int32'))),
      ).toThrow(/label 3 at position 1 is outside \[0, 3\)/);
    },
  );

  it('refuses float labels and mismatched shapes', async () => {
    await useMode('cpu', 'fast');
    expect(() => softmaxCrossEntropy(ops.zeros([2, 3]), ops.zeros([2]))).toThrow(/int32 tensor/);
    expect(() =>
      softmaxCrossEntropy(ops.zeros([2, 3]), ops.tensor([0, 1, 2], [3], 'int32')),
    ).toThrow(/softmaxCrossEntropy\(labels\): expected shape \[2\]/);
  });
});
