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
import { LossError } from './errors.js';
import { sequenceLogProbsReference } from './reference/languageModel.js';
import { sequenceLogProbs } from './sequenceLogProbs.js';

interface Case {
  name: string;
  shape: [number, number, number];
  logits: number[];
  inputIds: number[];
  mask: number[];
  average: boolean;
  upstream: number[];
  value: number[];
  grad: number[];
}

describeBackends('sequenceLogProbs', () => {
  it.each((golden.sequenceLogProbs as Case[]).map((c) => [c.name, c] as const))(
    "matches TRL's shifted log-probs: %s",
    (_, c) => {
      const [b, t] = c.shape;
      const ids = ops.tensor2d(c.inputIds, [b, t], 'int32');
      const mask = ops.tensor2d(c.mask, [b, t], 'bool');
      const upstream = ops.tensor1d(c.upstream);
      const logits = ops.tensor3d(c.logits, c.shape);
      expectClose(
        run(() => sequenceLogProbs(logits, ids, mask, { average: c.average })),
        c.value,
      );
      const [grad] = gradients([{ values: c.logits, shape: c.shape }], (x: Tensor) =>
        ops.sum(ops.mul(sequenceLogProbs(x, ids, mask, { average: c.average }), upstream)),
      );
      expectClose(grad!, c.grad);
      dispose([logits, ids, mask, upstream]);
    },
  );

  it('scores token t+1 with the logits of position t (the shift, by hand)', () => {
    // V = 2; position 0 strongly predicts token 1, position 1 predicts token 0.
    const logits = ops.tensor3d([
      [
        [0, 5],
        [5, 0],
        [0, 0],
      ],
    ]);
    const ids = ops.tensor2d([[0, 1, 0]], [1, 3], 'int32');
    const mask = ops.tensor2d([[0, 1, 1]], [1, 3], 'int32');
    const expected = -2 * Math.log1p(Math.exp(-5)); // log p(1 | pos 0) + log p(0 | pos 1)
    expectClose(
      run(() => sequenceLogProbs(logits, ids, mask)),
      [expected],
    );
    expectClose(
      run(() => sequenceLogProbs(logits, ids, mask, { average: true })),
      [expected / 2],
    );
    dispose([logits, ids, mask]);
  });

  it('gives 0 for a sequence without completion tokens and never reads masked ids', () => {
    const logits = ops.randomNormal([2, 3, 4], 0, 1, 'float32', 5);
    const ids = ops.tensor2d(
      [
        [1, -100, 999],
        [2, 3, -7],
      ],
      [2, 3],
      'int32',
    );
    const mask = ops.tensor2d(
      [
        [0, 0, 0],
        [0, 1, 0],
      ],
      [2, 3],
      'bool',
    );
    const out = run(() => sequenceLogProbs(logits, ids, mask, { average: true }));
    expect(out[0]).toBe(0);
    expect(Number.isFinite(out[1])).toBe(true);
    dispose([logits, ids, mask]);
  });

  it('has gradients equal to finite differences of the float64 reference (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 2, max: 5 }),
        fc.boolean(),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        (b, t, v, average, seed) => {
          const values = Array.from({ length: b * t * v }, (_, i) =>
            f32(Math.sin(seed + i * 1.7) * 4),
          );
          const idValues = Array.from({ length: b * t }, (_, i) => (seed + 3 * i) % v);
          const maskValues = Array.from(
            { length: b * t },
            (_, i) => ((seed >> (i % 16)) & 1) | (i % t === t - 1 ? 1 : 0),
          );
          const ids = ops.tensor2d(idValues, [b, t], 'int32');
          const mask = ops.tensor2d(maskValues, [b, t], 'int32');
          const [grad] = gradients([{ values, shape: [b, t, v] }], (x) =>
            ops.sum(sequenceLogProbs(x, ids, mask, { average })),
          );
          const reference = (x: Float64Array): number =>
            sequenceLogProbsReference(
              { values: x, rows: b * t, vocab: v },
              b,
              idValues,
              maskValues,
              average,
            ).reduce((a, y) => a + y, 0);
          expectClose(grad!, finiteDifferences(reference, values), { rtol: 1e-3, atol: 1e-5 });
          dispose([ids, mask]);
        },
      ),
      { numRuns: 30 },
    );
  });

  it('rejects a float mask, a bad id and mismatched shapes, naming argument and shape', () =>
    scope(() => {
      const logits = ops.zeros([2, 3, 4]);
      const ids = ops.zeros([2, 3], 'int32');
      const expectError = (call: () => unknown, code: string, message: RegExp): void => {
        try {
          call();
        } catch (error) {
          expect(error).toBeInstanceOf(LossError);
          expect((error as LossError).code).toBe(code);
          expect((error as LossError).message).toMatch(message);
          return;
        }
        expect.fail('no error thrown');
      };
      expectError(
        () => sequenceLogProbs(logits, ids, ops.ones([2, 3])),
        'DTYPE_MISMATCH',
        /completionMask\): expected a bool or int32 tensor, received a float32 tensor of shape \[2, 3\]; pass a bool tensor/,
      );
      expectError(
        () => sequenceLogProbs(logits, ids, ops.fill([2, 3], 2, 'int32')),
        'INVALID_ARGUMENT',
        /completionMask\): an int32 mask must hold only 0 and 1, received 2/,
      );
      expectError(
        () => sequenceLogProbs(logits, ops.fill([2, 3], 4, 'int32'), ops.ones([2, 3], 'bool')),
        'INVALID_ARGUMENT',
        /inputIds\): the completion token 4 at \[0, 1\] of inputIds \[2, 3\] is outside \[0, 4\)/,
      );
      expectError(
        () => sequenceLogProbs(logits, ops.zeros([2, 4], 'int32'), ops.ones([2, 4], 'bool')),
        'SHAPE_MISMATCH',
        /inputIds\): expected shape \[2, 3\] \(the first two dimensions of logits \[2, 3, 4\]\)/,
      );
    }));
});
