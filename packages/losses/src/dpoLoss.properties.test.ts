import { dispose, type Tensor } from '@llmkit/tensor-gpu';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { dpoObjective, tensors } from '../test/dpo.js';
import {
  describeBackends,
  expectClose,
  f32,
  finiteDifferences,
  gradients,
  run,
} from '../test/helpers.js';
import { DPO_LOSS_TYPES, type DpoLossOptions, type DpoLossType, dpoLoss } from './dpoLoss.js';
import { dpoLossReference } from './reference/preference.js';

describeBackends('dpoLoss properties', () => {
  it('sigmoid loss at zero margin is log 2 for any β and label smoothing (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(dyadic(), dyadic(), dyadic()), { minLength: 1, maxLength: 6 }),
        fc.double({ min: 1e-3, max: 50, noNaN: true }),
        fc.double({ min: 0, max: 0.49, noNaN: true }),
        (rows, beta, labelSmoothing) => {
          // referenceRejected chosen so that (π_c − π_r) − (ref_c − ref_r) is exactly 0
          const values = [
            rows.map((r) => r[0]),
            rows.map((r) => r[1]),
            rows.map((r) => r[2]),
            rows.map((r) => r[2] - r[0] + r[1]),
          ];
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
              { beta, labelSmoothing },
            ),
          );
          expectClose(result.loss, Math.LN2, { rtol: 1e-6 });
          dispose(inputs);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('does not increase when a chosen log-prob rises, for the losses monotone in it (property)', () => {
    const monotone: DpoLossType[] = [
      'sigmoid',
      'robust',
      'hinge',
      'bco_pair',
      'apo_zero',
      'aot',
      'aot_pair',
    ];
    fc.assert(
      fc.property(
        fc.array(fc.tuple(dyadic(), dyadic(), dyadic(), dyadic()), { minLength: 1, maxLength: 5 }),
        fc.constantFrom(...monotone),
        fc.nat(),
        fc.double({ min: 0.01, max: 5, noNaN: true }),
        (rows, lossType, which, bump) => {
          // label smoothing makes sigmoid and AOT non-monotone (their optimum is σ(βh) = 1 − ε); robust stays monotone
          const options = {
            beta: 0.5,
            lossType,
            labelSmoothing: lossType === 'robust' ? 0.1 : 0,
            bcoDelta: 0.3,
          };
          const values = [0, 1, 2, 3].map((k) => rows.map((r) => r[k]!));
          const raised = values.map((v, k) =>
            k === 0 ? v.map((x, i) => (i === which % v.length ? x + bump : x)) : v,
          );
          const before = gradientsFree(values, options);
          const after = gradientsFree(raised, options);
          expect(after).toBeLessThanOrEqual(before + 1e-5 * Math.max(1, Math.abs(before)));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('has gradients equal to finite differences of the float64 reference, every loss type (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(logp(), logp(), logp(), logp()), { minLength: 1, maxLength: 5 }),
        fc.constantFrom(...DPO_LOSS_TYPES),
        fc.double({ min: 0.05, max: 1, noNaN: true }),
        (rows, lossType, beta) => {
          const options: DpoLossOptions = {
            beta,
            lossType,
            labelSmoothing: lossType === 'exo_pair' ? 0.01 : 0.1,
            bcoDelta: -0.2,
            discopopTau: 0.5,
          };
          const values = [0, 1, 2, 3].map((k) => rows.map((r) => f32(r[k]!)));
          // the AOT losses sort: finite differences are meaningless across a near-tie
          if (lossType === 'aot' || lossType === 'aot_pair') fc.pre(noNearTies(values, lossType));
          const grads = gradients(
            values.map((v) => ({ values: v, shape: [v.length] })),
            dpoObjective(options),
          );
          values.forEach((v, k) => {
            const reference = (x: Float64Array): number =>
              dpoLossReference(
                {
                  policyChosenLogps: k === 0 ? x : values[0]!,
                  policyRejectedLogps: k === 1 ? x : values[1]!,
                  referenceChosenLogps: k === 2 ? x : values[2]!,
                  referenceRejectedLogps: k === 3 ? x : values[3]!,
                },
                options,
              ).loss;
            expectClose(grads[k]!, finiteDifferences(reference, v, 1e-6), {
              rtol: 2e-3,
              atol: 2e-5,
              label: `${lossType}[${k}]`,
            });
          });
        },
      ),
      { numRuns: 60 },
    );
  });
});

/** The loss as a number, for comparisons without gradients. */
function gradientsFree(values: number[][], options: DpoLossOptions): number {
  const inputs = tensors(values);
  const [pc, pr, rc, rr] = inputs as [Tensor, Tensor, Tensor, Tensor];
  const value = run(() =>
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
  dispose(inputs);
  return value;
}

/** Whether the quantities the AOT loss sorts are at least 1e-3 apart within each vector. */
function noNearTies([pc, pr, rc, rr]: number[][], lossType: 'aot' | 'aot_pair'): boolean {
  const diff = (a: number[], b: number[]) => a.map((x, i) => x - b[i]!);
  const sorted =
    lossType === 'aot_pair' ? [diff(pc!, rc!), diff(pr!, rr!)] : [diff(pc!, pr!), diff(rc!, rr!)];
  return sorted.every((v) =>
    v.every((x, i) => v.every((y, j) => i === j || Math.abs(x - y) > 1e-3)),
  );
}

/** Multiples of 1/8 in [−100, 0]: exact in float32, so sums and differences are exact too. */
function dyadic(): fc.Arbitrary<number> {
  return fc.integer({ min: -800, max: 0 }).map((k) => k / 8);
}

/** Sequence log-probs in a range where every loss type stays well inside float32. */
function logp(): fc.Arbitrary<number> {
  return fc.double({ min: -30, max: -1, noNaN: true });
}
