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
import { type PpoPolicyLossOptions, ppoPolicyLoss } from './ppoPolicyLoss.js';
import { ppoPolicyLossReference } from './reference/policyGradient.js';

interface Case {
  name: string;
  shape: [number, number];
  logProbs: number[];
  oldLogProbs: number[];
  referenceLogProbs: number[];
  advantages: number[];
  perSequence: boolean;
  mask: number[];
  options: PpoPolicyLossOptions;
  loss: number;
  clipFraction: number;
  approxKl: number;
  meanRatio: number;
  grad: number[];
}

describeBackends('ppoPolicyLoss', () => {
  it.each((golden.ppoPolicy as Case[]).map((c) => [c.name, c] as const))(
    "matches TRL's PPO/GRPO loss: %s",
    (_, c) => {
      const [b, t] = c.shape;
      const old = ops.tensor2d(c.oldLogProbs, [b, t]);
      const reference = ops.tensor2d(c.referenceLogProbs, [b, t]);
      const advantages = c.perSequence
        ? ops.tensor1d(c.advantages)
        : ops.tensor2d(c.advantages, [b, t]);
      const mask = ops.tensor2d(c.mask, [b, t], 'bool');
      const logProbs = ops.tensor2d(c.logProbs, [b, t]);
      const inputs = (lp: Tensor) => ({
        logProbs: lp,
        oldLogProbs: old,
        advantages,
        mask,
        referenceLogProbs: reference,
      });
      const result = run(() => ppoPolicyLoss(inputs(logProbs), c.options));
      expectClose(result.loss, c.loss);
      expectClose(result.clipFraction, c.clipFraction);
      expectClose(result.approxKl, c.approxKl);
      expectClose(result.meanRatio, c.meanRatio);
      const [grad] = gradients(
        [{ values: c.logProbs, shape: [b, t] }],
        (lp) => ppoPolicyLoss(inputs(lp), c.options).loss,
      );
      expectClose(grad!, c.grad, { atol: 1e-7 });
      dispose([logProbs, old, reference, advantages, mask]);
    },
  );

  it('has gradients equal to finite differences of the float64 reference (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.constantFrom<PpoPolicyLossOptions>(
          {},
          { aggregation: 'sequence-mean', clipRangeHigh: 0.28 },
          { aggregation: 'fixed-length', klCoef: 0.1, klEstimator: 'k2' },
          { klCoef: 0.04 },
        ),
        (b, t, seed, options) => {
          const n = b * t;
          const wave = (k: number) =>
            Array.from({ length: n }, (_, i) => f32(Math.sin(seed * 0.001 + i * k)));
          const logProbs = wave(1.3).map((x) => f32(x - 2));
          // old log-probs off by up to ±0.15 or ±0.5: both clipped and unclipped tokens occur
          const oldLogProbs = wave(2.1).map((x, i) => f32(logProbs[i]! + x * (i % 2 ? 0.15 : 0.5)));
          const referenceLogProbs = wave(0.7).map((x, i) => f32(logProbs[i]! + 0.3 * x));
          const advantages = wave(3.7);
          const mask = Array.from({ length: n }, (_, i) =>
            i % t === 0 || (seed >> i) & 1 ? 1 : 0,
          );
          const tensors = [oldLogProbs, advantages, referenceLogProbs].map((v) =>
            ops.tensor2d(v, [b, t]),
          );
          const m = ops.tensor2d(mask, [b, t], 'int32');
          const [old, adv, ref] = tensors as [Tensor, Tensor, Tensor];
          const [grad] = gradients(
            [{ values: logProbs, shape: [b, t] }],
            (lp) =>
              ppoPolicyLoss(
                {
                  logProbs: lp,
                  oldLogProbs: old,
                  advantages: adv,
                  mask: m,
                  referenceLogProbs: ref,
                },
                options,
              ).loss,
          );
          const reference = (x: Float64Array): number =>
            ppoPolicyLossReference(
              { logProbs: x, oldLogProbs, advantages, mask, referenceLogProbs },
              b,
              options,
            ).loss;
          expectClose(grad!, finiteDifferences(reference, logProbs, 1e-7), {
            rtol: 1e-3,
            atol: 1e-5,
          });
          dispose([...tensors, m]);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('is −mean(A) with no clipping when the policy has not moved', () => {
    const lp = ops.tensor2d([
      [-1, -2],
      [-3, -4],
    ]);
    const adv = ops.tensor2d([
      [1, 2],
      [3, 4],
    ]);
    const mask = ops.tensor2d(
      [
        [1, 1],
        [1, 0],
      ],
      [2, 2],
      'bool',
    );
    const result = run(() =>
      ppoPolicyLoss({ logProbs: lp, oldLogProbs: lp, advantages: adv, mask }),
    );
    expectClose(result.loss, -(1 + 2 + 3) / 3);
    expect(result.clipFraction).toEqual([0]);
    expect(result.approxKl).toEqual([0]);
    dispose([lp, adv, mask]);
  });

  it('rejects a float mask and a missing reference when klCoef > 0', () =>
    scope(() => {
      const x = ops.zeros([2, 3]);
      expect(() => ppoPolicyLoss({ logProbs: x, oldLogProbs: x, advantages: x, mask: x })).toThrow(
        /ppoPolicyLoss\(inputs\.mask\): expected a bool or int32 tensor, received a float32 tensor of shape \[2, 3\]/,
      );
      const mask = ops.ones([2, 3], 'bool');
      expect(() =>
        ppoPolicyLoss({ logProbs: x, oldLogProbs: x, advantages: x, mask }, { klCoef: 0.1 }),
      ).toThrow(/inputs\.referenceLogProbs\): expected a Tensor, received undefined/);
      expect(() =>
        ppoPolicyLoss({ logProbs: x, oldLogProbs: x, advantages: ops.zeros([3]), mask }),
      ).toThrow(/inputs\.advantages\): expected shape \[2\]/);
    }));
});
