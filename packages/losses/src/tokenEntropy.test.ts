import { dispose, ops, type Tensor } from '@llmkit/tensor-gpu';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import {
  describeBackends,
  expectClose,
  f32,
  finiteDifferences,
  golden,
  gradients,
  run,
} from '../test/helpers.js';
import { tokenEntropyReference } from './reference/languageModel.js';
import { tokenEntropy } from './tokenEntropy.js';

interface Case {
  name: string;
  shape: [number, number];
  logits: number[];
  upstream: number[];
  value: number[];
  grad: number[];
}

describeBackends('tokenEntropy', () => {
  it.each((golden.tokenEntropy as Case[]).map((c) => [c.name, c] as const))(
    'matches PyTorch: %s',
    (_, c) => {
      const upstream = ops.tensor1d(c.upstream);
      const logits = ops.tensor2d(c.logits, c.shape);
      expectClose(
        run(() => tokenEntropy(logits)),
        c.value,
        { atol: 1e-6 },
      );
      const [grad] = gradients([{ values: c.logits, shape: c.shape }], (x: Tensor) =>
        ops.sum(ops.mul(tokenEntropy(x), upstream)),
      );
      expectClose(grad!, c.grad, { atol: 1e-6 });
      dispose([logits, upstream]);
    },
  );

  it('is log V for uniform logits and 0 for a one-hot limit, shaped [B, T]', () => {
    const logits = ops.tensor3d([
      [
        [3, 3, 3, 3],
        [1e4, 0, 0, 0],
      ],
    ]);
    const h = run(() => tokenEntropy(logits));
    expectClose(h, [Math.log(4), 0], { atol: 1e-6 });
    const shaped = tokenEntropy(logits);
    expect(shaped.shape).toEqual([1, 2]);
    dispose(shaped);
    dispose(logits);
  });

  it('has gradients equal to finite differences of the float64 reference (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 6 }),
        fc.array(fc.double({ min: -5, max: 5, noNaN: true }).map(f32), {
          minLength: 24,
          maxLength: 24,
        }),
        (n, v, pool) => {
          const values = Array.from({ length: n * v }, (_, i) => pool[i % pool.length]! + 0.01 * i);
          const [grad] = gradients([{ values, shape: [n, v] }], (x) => ops.sum(tokenEntropy(x)));
          const reference = (x: Float64Array): number =>
            tokenEntropyReference({ values: x, rows: n, vocab: v }).reduce((a, b) => a + b, 0);
          expectClose(grad!, finiteDifferences(reference, values), { rtol: 1e-3, atol: 1e-5 });
        },
      ),
      { numRuns: 30 },
    );
  });
});
