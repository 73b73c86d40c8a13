import { dispose, memoryReport, ops, scope, type Tensor } from '@llmkit/tensor-gpu';
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
import { type CrossEntropyOptions, crossEntropy } from './crossEntropy.js';
import { LossError } from './errors.js';
import { crossEntropyReference } from './reference/languageModel.js';

interface Case {
  name: string;
  shape: [number, number, number];
  logits: number[];
  targets: number[];
  options: CrossEntropyOptions;
  loss: number[];
  tokenCount: number;
  grad: number[];
  upstream?: number[];
}

const cases = golden.crossEntropy as Case[];

describeBackends('crossEntropy', () => {
  it.each(cases.map((c) => [c.name, c] as const))('matches PyTorch: %s', (_, c) => {
    // Arrange
    const [b, t] = c.shape;
    const targets = ops.tensor2d(c.targets, [b, t], 'int32');
    const upstream = c.upstream === undefined ? undefined : ops.tensor2d(c.upstream, [b, t]);
    const objective = (x: Tensor): Tensor => {
      const { loss } = crossEntropy(x, targets, c.options);
      return upstream === undefined ? loss : ops.sum(ops.mul(loss, upstream));
    };
    const logits = ops.tensor3d(c.logits, c.shape);
    // Act
    const result = run(() => crossEntropy(logits, targets, c.options));
    const [grad] = gradients([{ values: c.logits, shape: c.shape }], objective);
    // Assert
    expectClose(result.loss, c.loss, { label: 'loss' });
    expect(result.tokenCount).toBe(c.tokenCount);
    expectClose(grad!, c.grad, { label: 'grad' });
    dispose([logits, targets, ...(upstream ? [upstream] : [])]);
  });

  it('gives 0, not NaN, when every target is ignored (PyTorch gives 0/0)', () => {
    const logits = ops.randomNormal([2, 3, 5], 0, 1, 'float32', 3);
    const targets = ops.fill([2, 3], -100, 'int32');
    const { loss, tokenCount } = run(() => crossEntropy(logits, targets));
    expect(loss).toEqual([0]);
    expect(tokenCount).toBe(0);
    const [grad] = gradients(
      [{ values: logits.dataSync(), shape: [2, 3, 5] }],
      (x) => crossEntropy(x, targets).loss,
    );
    expect(grad!.every((g) => g === 0)).toBe(true);
    dispose([logits, targets]);
  });

  it('accepts [N, V] logits with [N] targets', () => {
    const logits = ops.tensor2d([
      [2, 0, -1],
      [0.5, 0.5, 3],
    ]);
    const targets = ops.tensor1d([0, 2], 'int32');
    const { loss } = run(() => crossEntropy(logits, targets, { reduction: 'none' }));
    const expected = crossEntropyReference(
      { values: logits.dataSync(), rows: 2, vocab: 3 },
      [0, 2],
      { reduction: 'none' },
    ).loss as Float64Array;
    expectClose(loss, expected);
    dispose([logits, targets]);
  });

  it('with label smoothing 0 equals −mean log p of the targets (property)', () => {
    fc.assert(
      fc.property(logitsAndTargets(), ({ values, shape, targets }) => {
        const logits = ops.tensor3d(values, shape);
        const y = ops.tensor2d(targets, [shape[0], shape[1]], 'int32');
        const { loss } = run(() => crossEntropy(logits, y));
        const logProbs = run(() => ops.logSoftmax(logits)) as number[];
        const v = shape[2];
        const expected =
          -targets.reduce((sum, target, n) => sum + logProbs[n * v + target]!, 0) / targets.length;
        expectClose(loss, expected, { rtol: 1e-5, atol: 1e-5 });
        dispose([logits, y]);
      }),
      { numRuns: 40 },
    );
  });

  it('is unchanged by adding a constant to every logit of a position (property)', () => {
    fc.assert(
      fc.property(
        logitsAndTargets(),
        fc.double({ min: -50, max: 50, noNaN: true }),
        fc.nat({ max: 5 }),
        ({ values, shape, targets }, shift, row) => {
          const [b, t, v] = shape;
          const n = row % (b * t);
          const shifted = values.map((x, i) => (Math.floor(i / v) === n ? f32(x + shift) : x));
          const y = ops.tensor2d(targets, [b, t], 'int32');
          const options = { labelSmoothing: 0.1, reduction: 'none' } as const;
          const a = ops.tensor3d(values, shape);
          const c = ops.tensor3d(shifted, shape);
          expectClose(
            run(() => crossEntropy(c, y, options)).loss,
            run(() => crossEntropy(a, y, options)).loss,
            {
              atol: 2e-4,
              rtol: 1e-4,
            },
          );
          dispose([a, c, y]);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('has gradients equal to finite differences of the float64 reference (property)', () => {
    fc.assert(
      fc.property(
        logitsAndTargets(),
        fc.constantFrom<CrossEntropyOptions>(
          {},
          { labelSmoothing: 0.15 },
          { zLoss: 0.01, reduction: 'sum' },
          { labelSmoothing: 0.3, zLoss: 0.001 },
        ),
        ({ values, shape, targets }, options) => {
          const [b, t, v] = shape;
          const y = ops.tensor2d(targets, [b, t], 'int32');
          const [grad] = gradients([{ values, shape }], (x) => crossEntropy(x, y, options).loss);
          const reference = (x: Float64Array): number =>
            crossEntropyReference({ values: x, rows: b * t, vocab: v }, targets, options)
              .loss as number;
          expectClose(grad!, finiteDifferences(reference, values), { rtol: 1e-3, atol: 1e-5 });
          dispose(y);
        },
      ),
      { numRuns: 30 },
    );
  });

  it('holds far fewer [N, V] tensors than autodiff through log(softmax(x)) (engine bytes)', async () => {
    const [n, v] = [64, 1000];
    const big = n * v * 4;
    const logits = ops.randomNormal([n, v], 0, 3, 'float32', 1);
    const classes = Array.from({ length: n }, (_, i) => (i * 37) % v);
    const targets = ops.tensor1d(classes, 'int32');
    const flat = ops.tensor1d(
      classes.map((c, i) => i * v + c),
      'int32',
    );
    const peak = async (loss: (x: Tensor) => Tensor): Promise<number> => {
      const before = memoryReport().bytes;
      const profile = await ops.profile(() => dispose(ops.grads(loss)([logits])));
      return profile.peakBytes - before;
    };
    const ours = await peak((x) => crossEntropy(x, targets, { labelSmoothing: 0.1 }).loss);
    const naive = await peak((x) =>
      ops.neg(ops.mean(ops.gather(ops.reshape(ops.log(ops.softmax(x)), [n * v]), flat))),
    );
    // The engine counts bytes per tensor, views included: the clone autodiff keeps of x counts
    // as one [N, V]; the gradient is the only real [N, V] buffer the pass makes (tensor-gpu's
    // fused softmaxCrossEntropyParts keeps no probabilities between the passes).
    expect(ours).toBeLessThanOrEqual(2 * big + 64 * 1024);
    expect(naive).toBeGreaterThanOrEqual(4 * ours);
    dispose([logits, targets, flat]);
  });

  it('rejects bad input with errors that name the argument and its shape', () =>
    scope(() => {
      const logits = ops.zeros([2, 3, 4]);
      const targets = ops.zeros([2, 3], 'int32');
      const cases: [() => unknown, string, RegExp][] = [
        [
          () => crossEntropy(logits, ops.zeros([2, 4], 'int32')),
          'SHAPE_MISMATCH',
          /targets.*\[2, 3\].*\[2, 4\]/,
        ],
        [
          () => crossEntropy(logits, ops.zeros([2, 3])),
          'DTYPE_MISMATCH',
          /targets.*int32.*float32.*\[2, 3\]/,
        ],
        [
          () => crossEntropy(logits, ops.fill([2, 3], 4, 'int32')),
          'INVALID_ARGUMENT',
          /target 4 at \[0, 0\].*\[0, 4\)/,
        ],
        [
          () => crossEntropy(logits, ops.fill([2, 3], -5, 'int32')),
          'INVALID_ARGUMENT',
          /-5.*ignoreIndex \(-100\)/,
        ],
        [
          () => crossEntropy(ops.zeros([2, 3, 4], 'int32'), targets),
          'DTYPE_MISMATCH',
          /logits.*float32/,
        ],
        [
          () => crossEntropy(ops.zeros([4]), targets),
          'SHAPE_MISMATCH',
          /logits.*rank 2 or rank 3.*\[4\]/,
        ],
        [
          () => crossEntropy(logits, targets, { labelSmoothing: 1.5 }),
          'INVALID_ARGUMENT',
          /labelSmoothing/,
        ],
        [
          () => crossEntropy(logits, targets, { reduction: 'avg' as 'mean' }),
          'INVALID_ARGUMENT',
          /'mean', 'sum', 'none'/,
        ],
        [
          () =>
            crossEntropy(
              ops.tensor3d([[[0, Number.NaN, 1, 2]]]),
              ops.tensor2d([[1]], [1, 1], 'int32'),
            ),
          'NON_FINITE',
          /logits\): row 0 of a float32 tensor of shape \[1, 1, 4\].*NaN/,
        ],
      ];
      for (const [call, code, message] of cases) {
        const error = (() => {
          try {
            call();
          } catch (e) {
            return e;
          }
          return undefined;
        })();
        expect(error).toBeInstanceOf(LossError);
        expect((error as LossError).code).toBe(code);
        expect((error as LossError).message).toMatch(/^@llmkit\/losses: crossEntropy\(/);
        expect((error as LossError).message).toMatch(message);
      }
    }));
});

/** Random [B, T, V] float32 logits and in-range targets. */
function logitsAndTargets(): fc.Arbitrary<{
  values: number[];
  shape: [number, number, number];
  targets: number[];
}> {
  return fc
    .tuple(
      fc.integer({ min: 1, max: 3 }),
      fc.integer({ min: 1, max: 3 }),
      fc.integer({ min: 1, max: 7 }),
    )
    .chain(([b, t, v]) =>
      fc.record({
        values: fc.array(fc.double({ min: -6, max: 6, noNaN: true }).map(f32), {
          minLength: b * t * v,
          maxLength: b * t * v,
        }),
        shape: fc.constant([b, t, v] as [number, number, number]),
        targets: fc.array(fc.integer({ min: 0, max: v - 1 }), {
          minLength: b * t,
          maxLength: b * t,
        }),
      }),
    );
}
