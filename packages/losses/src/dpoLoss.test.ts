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

function tensors(values: readonly (readonly number[])[]): Tensor[] {
  return values.map((v) => ops.tensor1d(v.map(f32)));
}

function loss(options: DpoLossOptions) {
  return (pc: Tensor, pr: Tensor, rc: Tensor, rr: Tensor): Tensor =>
    dpoLoss(
      {
        policyChosenLogps: pc,
        policyRejectedLogps: pr,
        referenceChosenLogps: rc,
        referenceRejectedLogps: rr,
      },
      options,
    ).loss;
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
        loss(c.options),
      );
      NAMES.forEach((name, i) => {
        expectClose(grads[i]!, c.grad[name], { ...gradTolerance(c.grad[name]), label: name });
      });
      dispose(inputs);
    },
  );

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
            loss(options),
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
