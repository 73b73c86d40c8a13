import { dispose, ops, scope } from '@llmkit/tensor-gpu';
import { expect, it } from 'vitest';
import { describeBackends, expectClose, run } from '../test/helpers.js';
import { klPenalizedRewards } from './klPenalizedRewards.js';

describeBackends('klPenalizedRewards', () => {
  it('puts −β·kl on kept tokens and the score on the last kept token of each row', () => {
    const scores = ops.tensor1d([2, -1]);
    const kl = ops.tensor2d([
      [0.1, 0.2, 0.3, 0.4],
      [1, 1, 1, 1],
    ]);
    const mask = ops.tensor2d(
      [
        [0, 1, 1, 0],
        [1, 1, 1, 1],
      ],
      [2, 4],
      'bool',
    );
    const rewards = run(() => klPenalizedRewards(scores, kl, mask, { klCoef: 0.5 }));
    expectClose(rewards, [0, -0.1, -0.15 + 2, 0, -0.5, -0.5, -0.5, -0.5 - 1]);
    dispose([scores, kl, mask]);
  });

  it('refuses a row with no kept token', () =>
    scope(() => {
      expect(() =>
        klPenalizedRewards(ops.tensor1d([1]), ops.zeros([1, 3]), ops.zeros([1, 3], 'bool')),
      ).toThrow(/klPenalizedRewards\(mask\): row 0 of mask \[1, 3\] keeps no position/);
    }));
});
