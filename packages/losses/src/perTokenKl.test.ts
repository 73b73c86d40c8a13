import { dispose, ops, type Tensor } from '@llmkit/tensor-gpu';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { describeBackends, expectClose, f32, golden, gradients, run } from '../test/helpers.js';
import { type KlEstimator, perTokenKl } from './perTokenKl.js';

interface Case {
  name: string;
  logProbs: number[];
  referenceLogProbs: number[];
  estimator: KlEstimator;
  upstream: number[];
  value: number[];
  grad: { logProbs: number[]; referenceLogProbs: number[] };
}

describeBackends('perTokenKl', () => {
  it.each((golden.perTokenKl as Case[]).map((c) => [c.name, c] as const))(
    'matches the %s estimator',
    (_, c) => {
      const lp = ops.tensor1d(c.logProbs);
      const ref = ops.tensor1d(c.referenceLogProbs);
      const upstream = ops.tensor1d(c.upstream);
      const options = { estimator: c.estimator };
      expectClose(
        run(() => perTokenKl(lp, ref, options)),
        c.value,
        { atol: 1e-6 },
      );
      const [gl, gr] = gradients(
        [c.logProbs, c.referenceLogProbs].map((v) => ({ values: v, shape: [v.length] })),
        (x: Tensor, y: Tensor) => ops.sum(ops.mul(perTokenKl(x, y, options), upstream)),
      );
      expectClose(gl!, c.grad.logProbs, { atol: 1e-6 });
      expectClose(gr!, c.grad.referenceLogProbs, { atol: 1e-6 });
      dispose([lp, ref, upstream]);
    },
  );

  it('k2 and k3 are never negative and all three vanish when the policies agree (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.double({ min: -10, max: 0, noNaN: true }),
            fc.double({ min: -3, max: 3, noNaN: true }),
          ),
          { minLength: 1, maxLength: 10 },
        ),
        (rows) => {
          const lp = ops.tensor1d(rows.map((r) => f32(r[0])));
          const ref = ops.tensor1d(rows.map((r) => f32(r[0] + r[1])));
          for (const estimator of ['k2', 'k3'] as const) {
            expect(run(() => perTokenKl(lp, ref, { estimator })).every((k) => k >= 0)).toBe(true);
          }
          for (const estimator of ['k1', 'k2', 'k3'] as const) {
            expect(run(() => perTokenKl(lp, lp, { estimator })).every((k) => k === 0)).toBe(true);
          }
          dispose([lp, ref]);
        },
      ),
      { numRuns: 30 },
    );
  });
});
