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
import { simpoLossReference } from './reference/preference.js';
import { type SimpoLossOptions, simpoLoss } from './simpoLoss.js';

interface Case {
  name: string;
  inputs: { policyChosenLogps: number[]; policyRejectedLogps: number[] };
  options: SimpoLossOptions;
  loss: number;
  chosenRewards: number[];
  margins: number[];
  accuracy: number;
  grad: { policyChosenLogps: number[]; policyRejectedLogps: number[] };
}

const objective =
  (options: SimpoLossOptions) =>
  (c: Tensor, r: Tensor): Tensor =>
    simpoLoss({ policyChosenLogps: c, policyRejectedLogps: r }, options).loss;

describeBackends('simpoLoss', () => {
  it.each((golden.simpo as Case[]).map((c) => [c.name, c] as const))(
    "matches TRL's CPOTrainer: %s",
    (_, c) => {
      const chosen = ops.tensor1d(c.inputs.policyChosenLogps);
      const rejected = ops.tensor1d(c.inputs.policyRejectedLogps);
      const result = run(() =>
        simpoLoss({ policyChosenLogps: chosen, policyRejectedLogps: rejected }, c.options),
      );
      expectClose(result.loss, c.loss);
      expectClose(result.chosenRewards, c.chosenRewards);
      expectClose(result.margins, c.margins, { atol: 1e-5 });
      expectClose(result.accuracy, c.accuracy);
      const [gc, gr] = gradients(
        [c.inputs.policyChosenLogps, c.inputs.policyRejectedLogps].map((v) => ({
          values: v,
          shape: [v.length],
        })),
        objective(c.options),
      );
      expectClose(gc!, c.grad.policyChosenLogps);
      expectClose(gr!, c.grad.policyRejectedLogps);
      dispose([chosen, rejected]);
    },
  );

  it('has gradients equal to finite differences of the float64 reference (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.double({ min: -4, max: -0.01, noNaN: true }),
            fc.double({ min: -4, max: -0.01, noNaN: true }),
          ),
          {
            minLength: 1,
            maxLength: 6,
          },
        ),
        fc.double({ min: 0.1, max: 5, noNaN: true }),
        fc.double({ min: 0, max: 2, noNaN: true }),
        (rows, beta, gamma) => {
          const chosen = rows.map((r) => f32(r[0]));
          const rejected = rows.map((r) => f32(r[1]));
          const options = { beta, gamma, labelSmoothing: 0.05 };
          const [gc] = gradients(
            [chosen, rejected].map((v) => ({ values: v, shape: [v.length] })),
            objective(options),
          );
          const fd = finiteDifferences(
            (x) => simpoLossReference(x, rejected, options).loss,
            chosen,
            1e-6,
          );
          expectClose(gc!, fd, { rtol: 1e-3, atol: 1e-5 });
        },
      ),
      { numRuns: 30 },
    );
  });

  it('needs no reference model and rejects a negative margin', () =>
    scope(() => {
      const v = ops.tensor1d([-1, -2]);
      expect(() =>
        simpoLoss({ policyChosenLogps: v, policyRejectedLogps: v }, { gamma: -1 }),
      ).toThrow(/simpoLoss\(options\.gamma\): expected a number ≥ 0/);
    }));
});
