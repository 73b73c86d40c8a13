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
import { type KtoInputs, type KtoLossOptions, ktoLoss } from './ktoLoss.js';
import { ktoLossReference } from './reference/preference.js';

type Name = keyof KtoInputs;
interface Case {
  name: string;
  inputs: Partial<Record<Name, number[]>>;
  options: KtoLossOptions;
  loss: number;
  kl: number;
  chosenRewards: number[];
  rejectedRewards: number[];
  margins: number;
  accuracy: number;
  grad: Partial<Record<Name, number[]>>;
}

function build(names: Name[], tensors: Tensor[]): KtoInputs {
  return Object.fromEntries(names.map((n, i) => [n, tensors[i]!])) as unknown as KtoInputs;
}

describeBackends('ktoLoss', () => {
  it.each((golden.kto as Case[]).map((c) => [c.name, c] as const))(
    "matches TRL's KTOTrainer: %s",
    (_, c) => {
      const names = Object.keys(c.inputs) as Name[];
      const tensors = names.map((n) => ops.tensor1d(c.inputs[n]!));
      const result = run(() => ktoLoss(build(names, tensors), c.options));
      expectClose(result.loss, c.loss);
      expectClose(result.kl, c.kl, { atol: 1e-5 });
      expectClose(result.chosenRewards, c.chosenRewards, { atol: 1e-6 });
      expectClose(result.rejectedRewards, c.rejectedRewards, { atol: 1e-6 });
      expectClose(result.margins, c.margins, { atol: 1e-5 });
      expectClose(result.accuracy, c.accuracy);
      const grads = gradients(
        names.map((n) => ({ values: c.inputs[n]!, shape: [c.inputs[n]!.length] })),
        (...xs: Tensor[]) => ktoLoss(build(names, xs), c.options).loss,
      );
      names.forEach((n, i) => {
        expectClose(grads[i]!, c.grad[n]!, { atol: 1e-7, label: n });
      });
      dispose(tensors);
    },
  );

  it('has gradients equal to finite differences of the float64 reference (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -20, max: -1, noNaN: true }).map(f32), {
          minLength: 8,
          maxLength: 8,
        }),
        fc.integer({ min: 0, max: 3 }),
        fc.constantFrom<KtoLossOptions>(
          { beta: 0.3 },
          { beta: 1, desirableWeight: 1.5, undesirableWeight: 0.5 },
          { beta: 0.5, lossType: 'apo_zero_unpaired' },
        ),
        (pool, split, options) => {
          const inputs = {
            policyChosenLogps: pool.slice(0, split),
            referenceChosenLogps: pool.slice(4, 4 + split),
            policyRejectedLogps: pool.slice(split, 4),
            referenceRejectedLogps: pool.slice(4 + split, 8),
            // apo_zero_unpaired has no reference point, so KL inputs would not reach the loss
            ...(options.lossType === 'apo_zero_unpaired'
              ? {}
              : {
                  policyKlLogps: [pool[0]! + 1, pool[1]! + 2],
                  referenceKlLogps: [pool[2]!, pool[3]!],
                }),
          } as Record<Name, number[]>;
          const names = Object.keys(inputs) as Name[];
          const grads = gradients(
            names.map((n) => ({ values: inputs[n], shape: [inputs[n].length] })),
            (...xs: Tensor[]) => ktoLoss(build(names, xs), options).loss,
          );
          // the labelled log-probs carry the gradient; the KL inputs only set the reference point
          (['policyChosenLogps', 'policyRejectedLogps'] as const).forEach((n) => {
            const i = names.indexOf(n);
            const fd = finiteDifferences(
              (x) => ktoLossReference({ ...inputs, [n]: x }, options).loss,
              inputs[n],
              1e-6,
            );
            expectClose(grads[i]!, fd, { rtol: 1e-3, atol: 1e-6, label: n });
          });
          if (inputs.policyKlLogps !== undefined) {
            expect(grads[names.indexOf('policyKlLogps')]!.every((g) => g === 0)).toBe(true);
          }
        },
      ),
      { numRuns: 30 },
    );
  });

  it('handles a batch with only desirable examples (margins and accuracy NaN) and refuses an empty one', () =>
    scope(() => {
      const c = ops.tensor1d([-3, -4]);
      const empty = ops.tensor1d([]);
      const inputs = {
        policyChosenLogps: c,
        referenceChosenLogps: c,
        policyRejectedLogps: empty,
        referenceRejectedLogps: empty,
      };
      const result = ktoLoss(inputs);
      expect(result.loss.dataSync()[0]).toBeCloseTo(0.5, 6);
      expect(Number.isNaN(result.accuracy.dataSync()[0])).toBe(true);
      expect(Number.isNaN(result.margins.dataSync()[0])).toBe(true);
      expect(() =>
        ktoLoss({ ...inputs, policyChosenLogps: empty, referenceChosenLogps: empty }),
      ).toThrow(/EMPTY|no desirable/);
    }));
});
