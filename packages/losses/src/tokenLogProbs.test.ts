import { dispose, ops, scope, type Tensor } from '@llmkit/tensor-gpu';
import { expect, it } from 'vitest';
import { describeBackends, expectClose, golden, gradients, run } from '../test/helpers.js';
import { LossError } from './errors.js';
import { tokenLogProbsReference } from './reference/languageModel.js';
import { tokenLogProbs } from './tokenLogProbs.js';

const [c] = golden.tokenLogProbs as {
  shape: [number, number, number];
  logits: number[];
  targets: number[];
  upstream: number[];
  value: number[];
  grad: number[];
}[];

describeBackends('tokenLogProbs', () => {
  it('matches PyTorch log_softmax + gather, 0 at the ignore index', () => {
    const [b, t] = c!.shape;
    const targets = ops.tensor2d(c!.targets, [b, t], 'int32');
    const upstream = ops.tensor2d(c!.upstream, [b, t]);
    const logits = ops.tensor3d(c!.logits, c!.shape);
    expectClose(
      run(() => tokenLogProbs(logits, targets)),
      c!.value,
    );
    const [grad] = gradients([{ values: c!.logits, shape: c!.shape }], (x: Tensor) =>
      ops.sum(ops.mul(tokenLogProbs(x, targets), upstream)),
    );
    expectClose(grad!, c!.grad);
    expectClose(
      run(() => tokenLogProbs(logits, targets)),
      tokenLogProbsReference({ values: c!.logits, rows: b * t, vocab: c!.shape[2] }, c!.targets),
    );
    dispose([logits, targets, upstream]);
  });

  it('keeps full precision for logits of ±1e4', () => {
    const logits = ops.tensor2d([[1e4, 1e4 - 3, -1e4]]);
    const targets = ops.tensor1d([1], 'int32');
    // log p = −3 − log(1 + e⁻³ + 0)
    expectClose(
      run(() => tokenLogProbs(logits, targets)),
      [-3 - Math.log1p(Math.exp(-3))],
    );
    dispose([logits, targets]);
  });

  it('names the argument and shape of bad targets', () =>
    scope(() => {
      const logits = ops.zeros([2, 3, 4]);
      expect(() => tokenLogProbs(logits, ops.zeros([3, 2], 'int32'))).toThrow(
        /tokenLogProbs\(targets\): expected shape \[2, 3\].*received an int32 tensor of shape \[3, 2\]/,
      );
      expect(() => tokenLogProbs(logits, ops.fill([2, 3], 9, 'int32'))).toThrow(LossError);
    }));
});
