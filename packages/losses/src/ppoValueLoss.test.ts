import { dispose, ops, type Tensor } from '@llmkit/tensor-gpu';
import fc from 'fast-check';
import { it } from 'vitest';
import {
  describeBackends,
  expectClose,
  f32,
  finiteDifferences,
  golden,
  gradients,
  run,
} from '../test/helpers.js';
import { ppoValueLoss } from './ppoValueLoss.js';
import { ppoValueLossReference } from './reference/policyGradient.js';

interface Case {
  name: string;
  shape: [number, number];
  values: number[];
  oldValues: number[];
  returns: number[];
  mask: number[];
  clipRange: number;
  loss: number;
  clipFraction: number;
  grad: number[];
}

describeBackends('ppoValueLoss', () => {
  it.each((golden.ppoValue as Case[]).map((c) => [c.name, c] as const))(
    "matches TRL's PPOTrainer: %s",
    (_, c) => {
      const [b, t] = c.shape;
      const [old, returns] = [c.oldValues, c.returns].map((v) => ops.tensor2d(v, [b, t])) as [
        Tensor,
        Tensor,
      ];
      const mask = ops.tensor2d(c.mask, [b, t], 'bool');
      const values = ops.tensor2d(c.values, [b, t]);
      const options = { clipRange: c.clipRange };
      const result = run(() => ppoValueLoss({ values, oldValues: old, returns, mask }, options));
      expectClose(result.loss, c.loss);
      expectClose(result.clipFraction, c.clipFraction);
      const [grad] = gradients(
        [{ values: c.values, shape: [b, t] }],
        (v) => ppoValueLoss({ values: v, oldValues: old, returns, mask }, options).loss,
      );
      expectClose(grad!, c.grad, { atol: 1e-7 });
      dispose([values, old, returns, mask]);
    },
  );

  it('has gradients equal to finite differences of the float64 reference (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.double({ min: -2, max: 2, noNaN: true }),
            fc.double({ min: -0.6, max: 0.6, noNaN: true }),
            fc.double({ min: -2, max: 2, noNaN: true }),
            fc.boolean(),
          ),
          {
            minLength: 1,
            maxLength: 8,
          },
        ),
        (rows) => {
          const values = rows.map((r) => f32(r[0]));
          // keep v − v_old away from the clip edges ±0.2, where the loss has a kink
          const oldValues = rows.map((r) =>
            f32(r[0] + (Math.abs(Math.abs(r[1]) - 0.2) < 0.01 ? r[1] + 0.05 : r[1])),
          );
          const returns = rows.map((r) => f32(r[2]));
          const mask = rows.map((r, i) => (r[3] || i === 0 ? 1 : 0));
          const n = rows.length;
          const [old, ret] = [oldValues, returns].map((v) => ops.tensor2d(v, [1, n])) as [
            Tensor,
            Tensor,
          ];
          const m = ops.tensor2d(mask, [1, n], 'int32');
          const [grad] = gradients(
            [{ values, shape: [1, n] }],
            (v) => ppoValueLoss({ values: v, oldValues: old, returns: ret, mask: m }).loss,
          );
          const fd = finiteDifferences(
            (x) => ppoValueLossReference(x, oldValues, returns, mask).loss,
            values,
            1e-7,
          );
          expectClose(grad!, fd, { rtol: 1e-3, atol: 1e-5 });
          dispose([old, ret, m]);
        },
      ),
      { numRuns: 40 },
    );
  });
});
