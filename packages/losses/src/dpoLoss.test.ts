import { dispose, ops, scope, type Tensor } from '@llmkit/tensor-gpu';
import { expect, it } from 'vitest';
import { dpoObjective, tensors } from '../test/dpo.js';
import { describeBackends, expectClose, golden, gradients, run } from '../test/helpers.js';
import { DPO_LOSS_TYPES, type DpoLossOptions, type DpoLossType, dpoLoss } from './dpoLoss.js';
import { LossError } from './errors.js';
import { dpoLossReference } from './reference/preference.js';

const NAMES = [
  'policyChosenLogps',
  'policyRejectedLogps',
  'referenceChosenLogps',
  'referenceRejectedLogps',
] as const;

interface Case {
  name: string;
  inputs: Record<(typeof NAMES)[number], number[]>;
  options: DpoLossOptions;
  loss: number;
  chosenRewards: number[];
  rejectedRewards: number[];
  margins: number[];
  accuracy: number;
  grad: Record<(typeof NAMES)[number], number[]>;
}

/** Grad tolerance relative to the largest entry: float32 against float64. */
const gradTolerance = (g: number[]) => ({
  rtol: 1e-5,
  atol: 1e-6 * Math.max(...g.map(Math.abs)) + 1e-10,
});

describeBackends('dpoLoss', () => {
  it.each((golden.dpo as Case[]).map((c) => [c.name, c] as const))(
    "matches TRL's formula in PyTorch: %s",
    (_, c) => {
      const values = NAMES.map((name) => c.inputs[name]);
      const inputs = tensors(values);
      const [pc, pr, rc, rr] = inputs as [Tensor, Tensor, Tensor, Tensor];
      const result = run(() =>
        dpoLoss(
          {
            policyChosenLogps: pc,
            policyRejectedLogps: pr,
            referenceChosenLogps: rc,
            referenceRejectedLogps: rr,
          },
          c.options,
        ),
      );
      expectClose(result.loss, c.loss, { label: 'loss' });
      expectClose(result.chosenRewards, c.chosenRewards, { label: 'chosenRewards', atol: 1e-6 });
      expectClose(result.rejectedRewards, c.rejectedRewards, {
        label: 'rejectedRewards',
        atol: 1e-6,
      });
      expectClose(result.margins, c.margins, { label: 'margins', atol: 1e-6 });
      expectClose(result.accuracy, c.accuracy, { label: 'accuracy' });
      const grads = gradients(
        values.map((v) => ({ values: v, shape: [v.length] })),
        dpoObjective(c.options),
      );
      NAMES.forEach((name, i) => {
        expectClose(grads[i]!, c.grad[name], { ...gradTolerance(c.grad[name]), label: name });
      });
      dispose(inputs);
    },
  );

  it('stays finite as β → 0 (sigmoid → log 2) and for large β', () => {
    const inputs = tensors([
      [-10, -20],
      [-12, -15],
      [-11, -19],
      [-11, -17],
    ]);
    const [pc, pr, rc, rr] = inputs as [Tensor, Tensor, Tensor, Tensor];
    const at = (options: DpoLossOptions) =>
      run(() =>
        dpoLoss(
          {
            policyChosenLogps: pc,
            policyRejectedLogps: pr,
            referenceChosenLogps: rc,
            referenceRejectedLogps: rr,
          },
          options,
        ),
      ).loss[0]!;
    expectClose(at({ beta: 1e-9 }), Math.LN2, { rtol: 1e-6 });
    // margins h = (2, −3): with β = 1e4 the loss is mean(softplus(−βh)) ≈ 3e4/2
    expectClose(at({ beta: 1e4 }), 1.5e4, { rtol: 1e-6 });
    for (const lossType of DPO_LOSS_TYPES) {
      for (const beta of [1e-6, 1e3]) {
        const value = at({ beta, lossType, labelSmoothing: 0.1 });
        const expected = dpoLossReference(
          {
            policyChosenLogps: [-10, -20],
            policyRejectedLogps: [-12, -15],
            referenceChosenLogps: [-11, -19],
            referenceRejectedLogps: [-11, -17],
          },
          { beta, lossType, labelSmoothing: 0.1 },
        ).loss;
        if (Number.isFinite(expected))
          expectClose(value, expected, { rtol: 1e-5, label: `${lossType} β=${beta}` });
        else expect(value, `${lossType} β=${beta}`).toBe(expected);
      }
    }
    dispose(inputs);
  });

  it('counts ties (chosen = rejected) as wrong and gives zero margins', () => {
    const inputs = tensors([
      [-5, -7],
      [-5, -7],
      [-6, -8],
      [-6, -8],
    ]);
    const [pc, pr, rc, rr] = inputs as [Tensor, Tensor, Tensor, Tensor];
    const result = run(() =>
      dpoLoss({
        policyChosenLogps: pc,
        policyRejectedLogps: pr,
        referenceChosenLogps: rc,
        referenceRejectedLogps: rr,
      }),
    );
    expect(result.accuracy).toEqual([0]);
    expect(result.margins).toEqual([0, 0]);
    expectClose(result.loss, Math.LN2, { rtol: 1e-6 });
    dispose(inputs);
  });

  it('works for batches of one', () => {
    const inputs = tensors([[-3], [-4], [-3.5], [-3.5]]);
    const [pc, pr, rc, rr] = inputs as [Tensor, Tensor, Tensor, Tensor];
    for (const lossType of DPO_LOSS_TYPES) {
      const result = run(() =>
        dpoLoss(
          {
            policyChosenLogps: pc,
            policyRejectedLogps: pr,
            referenceChosenLogps: rc,
            referenceRejectedLogps: rr,
          },
          { lossType },
        ),
      );
      const expected = dpoLossReference(
        {
          policyChosenLogps: [-3],
          policyRejectedLogps: [-4],
          referenceChosenLogps: [-3.5],
          referenceRejectedLogps: [-3.5],
        },
        { lossType },
      );
      expectClose(result.loss, expected.loss, { label: lossType });
    }
    dispose(inputs);
  });

  it('rejects mismatched shapes and bad options, naming argument and shape', () =>
    scope(() => {
      const v3 = ops.zeros([3]);
      const v2 = ops.zeros([2]);
      const inputs = {
        policyChosenLogps: v3,
        policyRejectedLogps: v3,
        referenceChosenLogps: v3,
        referenceRejectedLogps: v2,
      };
      expect(() => dpoLoss(inputs)).toThrow(
        /dpoLoss\(inputs\.referenceRejectedLogps\): expected shape \[3\] \(as inputs\.policyChosenLogps\), received a float32 tensor of shape \[2\]/,
      );
      const ok = { ...inputs, referenceRejectedLogps: v3 };
      const code = (call: () => unknown): string => {
        try {
          call();
        } catch (error) {
          expect(error).toBeInstanceOf(LossError);
          return (error as LossError).code;
        }
        return 'none';
      };
      expect(code(() => dpoLoss(ok, { beta: 0 }))).toBe('INVALID_ARGUMENT');
      expect(code(() => dpoLoss(ok, { lossType: 'kto_pair' as DpoLossType }))).toBe(
        'INVALID_ARGUMENT',
      );
      expect(code(() => dpoLoss(ok, { lossType: 'robust', labelSmoothing: 0.5 }))).toBe(
        'INVALID_ARGUMENT',
      );
      expect(code(() => dpoLoss({ ...ok, policyChosenLogps: ops.zeros([3, 1]) }))).toBe(
        'SHAPE_MISMATCH',
      );
      expect(code(() => dpoLoss({ ...ok, policyChosenLogps: ops.zeros([3], 'int32') }))).toBe(
        'DTYPE_MISMATCH',
      );
    }));
});
