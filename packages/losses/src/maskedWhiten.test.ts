import { dispose, ops, scope, type Tensor } from '@llmkit/tensor-gpu';
import { expect, it } from 'vitest';
import { describeBackends, expectClose, golden, gradients, run } from '../test/helpers.js';
import { maskedMean } from './maskedMean.js';
import { maskedWhiten } from './maskedWhiten.js';
import { maskedMeanReference } from './reference/policyGradient.js';

interface Case {
  name: string;
  shape: [number, number];
  values: number[];
  mask: number[];
  shiftMean: boolean;
  upstream: number[];
  value: number[];
  grad: number[];
}

describeBackends('maskedWhiten and maskedMean', () => {
  it.each((golden.maskedWhiten as Case[]).map((c) => [c.name, c] as const))(
    "maskedWhiten matches TRL's masked_whiten: %s",
    (_, c) => {
      const [b, t] = c.shape;
      const mask = ops.tensor2d(c.mask, [b, t], 'bool');
      const upstream = ops.tensor2d(c.upstream, [b, t]);
      const values = ops.tensor2d(c.values, [b, t]);
      expectClose(
        run(() => maskedWhiten(values, mask, { shiftMean: c.shiftMean })),
        c.value,
        { atol: 1e-6 },
      );
      const [grad] = gradients([{ values: c.values, shape: [b, t] }], (x: Tensor) =>
        ops.sum(ops.mul(maskedWhiten(x, mask, { shiftMean: c.shiftMean }), upstream)),
      );
      expectClose(grad!, c.grad, { atol: 1e-6 });
      dispose([values, mask, upstream]);
    },
  );

  it('maskedMean averages kept positions, per row with an axis, 0 for an empty row', () => {
    const values = ops.tensor2d([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const mask = ops.tensor2d(
      [
        [1, 0, 1],
        [0, 0, 0],
      ],
      [2, 3],
      'int32',
    );
    expectClose(
      run(() => maskedMean(values, mask)),
      maskedMeanReference([1, 2, 3, 4, 5, 6], [1, 0, 1, 0, 0, 0]),
    );
    expect(run(() => maskedMean(values, mask, { axis: 1 }))).toEqual([2, 0]);
    dispose([values, mask]);
  });

  it('refuses to whiten fewer than two positions', () =>
    scope(() => {
      expect(() => maskedWhiten(ops.tensor1d([1, 2]), ops.tensor1d([1, 0], 'bool'))).toThrow(
        /maskedWhiten\(mask\): the mask \[2\] keeps 1 position\(s\); whitening needs at least 2/,
      );
    }));
});
