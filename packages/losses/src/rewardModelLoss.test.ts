import { dispose, ops, scope, type Tensor } from '@llmkit/tensor-gpu';
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
import { rewardModelLossReference } from './reference/preference.js';
import { rewardModelLoss } from './rewardModelLoss.js';

interface Case {
  name: string;
  chosen: number[];
  rejected: number[];
  options: { margin: number | number[]; centerRewardsCoefficient: number };
  loss: number;
  accuracy: number;
  grad: { chosen: number[]; rejected: number[] };
}

describeBackends('rewardModelLoss', () => {
  it.each((golden.reward as Case[]).map((c) => [c.name, c] as const))(
    "matches TRL's RewardTrainer: %s",
    (_, c) => {
      const margin =
        typeof c.options.margin === 'number' ? c.options.margin : ops.tensor1d(c.options.margin);
      const options = { margin, centerRewardsCoefficient: c.options.centerRewardsCoefficient };
      const chosen = ops.tensor1d(c.chosen);
      const rejected = ops.tensor1d(c.rejected);
      const result = run(() => rewardModelLoss(chosen, rejected, options));
      expectClose(result.loss, c.loss);
      expectClose(result.accuracy, c.accuracy);
      const [gc, gr] = gradients(
        [c.chosen, c.rejected].map((v) => ({ values: v, shape: [v.length] })),
        (x: Tensor, y: Tensor) => rewardModelLoss(x, y, options).loss,
      );
      expectClose(gc!, c.grad.chosen);
      expectClose(gr!, c.grad.rejected);
      dispose([chosen, rejected, ...(typeof margin === 'number' ? [] : [margin])]);
    },
  );

  it('is log 2 at equal rewards, accuracy counting ties as wrong; gradients match finite differences (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.double({ min: -8, max: 8, noNaN: true }),
            fc.double({ min: -8, max: 8, noNaN: true }),
          ),
          {
            minLength: 1,
            maxLength: 6,
          },
        ),
        fc.double({ min: 0, max: 0.1, noNaN: true }),
        (rows, center) => {
          const chosen = rows.map((r) => f32(r[0]));
          const rejected = rows.map((r) => f32(r[1]));
          const options = { margin: 0.25, centerRewardsCoefficient: center };
          const [gc, gr] = gradients(
            [chosen, rejected].map((v) => ({ values: v, shape: [v.length] })),
            (x: Tensor, y: Tensor) => rewardModelLoss(x, y, options).loss,
          );
          expectClose(
            gc!,
            finiteDifferences(
              (x) => rewardModelLossReference(x, rejected, options).loss,
              chosen,
              1e-6,
            ),
            { rtol: 1e-3, atol: 1e-6 },
          );
          expectClose(
            gr!,
            finiteDifferences(
              (x) => rewardModelLossReference(chosen, x, options).loss,
              rejected,
              1e-6,
            ),
            { rtol: 1e-3, atol: 1e-6 },
          );
          const same = ops.tensor1d(chosen);
          const tie = run(() => rewardModelLoss(same, same));
          expectClose(tie.loss, Math.LN2, { rtol: 1e-6 });
          expect(tie.accuracy).toEqual([0]);
          dispose(same);
        },
      ),
      { numRuns: 30 },
    );
  });

  it('checks the margin tensor against the batch', () =>
    scope(() => {
      const r = ops.tensor1d([1, 2, 3]);
      expect(() => rewardModelLoss(r, r, { margin: ops.tensor1d([1, 2]) })).toThrow(
        /rewardModelLoss\(options\.margin\): expected shape \[3\].*received a float32 tensor of shape \[2\]/,
      );
      expect(() => rewardModelLoss(r, ops.tensor1d([1, 2]))).toThrow(
        /rejectedRewards\): expected shape \[3\] \(as chosenRewards\)/,
      );
    }));
});
