import { dispose, ops, scope, type Tensor } from '@llmkit/tensor-gpu';
import { expect, it } from 'vitest';
import { describeBackends, expectClose, golden, gradients, run } from '../test/helpers.js';
import { orpoLoss } from './orpoLoss.js';
import { orpoLossReference } from './reference/preference.js';

interface Case {
  name: string;
  inputs: { policyChosenLogps: number[]; policyRejectedLogps: number[]; chosenNll: number };
  options: { beta: number };
  loss: number;
  logOddsRatio: number;
  logOddsChosen: number;
  chosenRewards: number[];
  accuracy: number;
  grad: { policyChosenLogps: number[]; policyRejectedLogps: number[]; chosenNll: number[] };
}

describeBackends('orpoLoss', () => {
  it.each((golden.orpo as Case[]).map((c) => [c.name, c] as const))(
    "matches TRL's ORPOTrainer: %s",
    (_, c) => {
      const chosen = ops.tensor1d(c.inputs.policyChosenLogps);
      const rejected = ops.tensor1d(c.inputs.policyRejectedLogps);
      const nll = ops.scalar(c.inputs.chosenNll);
      const result = run(() =>
        orpoLoss(
          { policyChosenLogps: chosen, policyRejectedLogps: rejected, chosenNll: nll },
          c.options,
        ),
      );
      expectClose(result.loss, c.loss);
      expectClose(result.logOddsRatio, c.logOddsRatio);
      expectClose(result.logOddsChosen, c.logOddsChosen);
      expectClose(result.chosenRewards, c.chosenRewards);
      expectClose(result.accuracy, c.accuracy);
      const reference = orpoLossReference(
        c.inputs.policyChosenLogps,
        c.inputs.policyRejectedLogps,
        c.inputs.chosenNll,
        c.options.beta,
      );
      expectClose(reference.loss, c.loss, { rtol: 1e-12 });
      const grads = gradients(
        [
          { values: c.inputs.policyChosenLogps, shape: [c.inputs.policyChosenLogps.length] },
          { values: c.inputs.policyRejectedLogps, shape: [c.inputs.policyRejectedLogps.length] },
          { values: [c.inputs.chosenNll], shape: [] },
        ],
        (pc: Tensor, pr: Tensor, n: Tensor) =>
          orpoLoss({ policyChosenLogps: pc, policyRejectedLogps: pr, chosenNll: n }, c.options)
            .loss,
      );
      expectClose(grads[0]!, c.grad.policyChosenLogps, { atol: 1e-6 });
      expectClose(grads[1]!, c.grad.policyRejectedLogps, { atol: 1e-6 });
      expectClose(grads[2]!, c.grad.chosenNll);
      dispose([chosen, rejected, nll]);
    },
  );

  it('keeps precision for likelihoods near 1 (ℓ → 0⁻), where log1p(−exp ℓ) loses digits', () => {
    const chosen = ops.tensor1d([-1e-6]);
    const rejected = ops.tensor1d([-2]);
    const nll = ops.scalar(0);
    const result = run(() =>
      orpoLoss({ policyChosenLogps: chosen, policyRejectedLogps: rejected, chosenNll: nll }),
    );
    const expected = orpoLossReference([Math.fround(-1e-6)], [-2], 0);
    expectClose(result.logOddsChosen, expected.logOddsChosen, { rtol: 1e-5 });
    dispose([chosen, rejected, nll]);
  });

  it('wants the SFT loss as a scalar', () =>
    scope(() => {
      const v = ops.tensor1d([-1, -2]);
      expect(() =>
        orpoLoss({ policyChosenLogps: v, policyRejectedLogps: v, chosenNll: v }),
      ).toThrow(
        /orpoLoss\(inputs\.chosenNll\): expected rank 0, received a float32 tensor of shape \[2\]/,
      );
    }));
});
