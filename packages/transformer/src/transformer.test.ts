/**
 * The model against its educational twin (`test/referenceForward.ts`, plain float64 arrays),
 * for a GPT-2-shaped and a Llama-shaped config with seeded weights; the loss of an untrained
 * model; tensor lifetimes.
 */
import { Random } from '@llmkit/numeric';
import { dispose, leakCheck, memoryReport, ops, parameterGrads, scope } from '@llmkit/tensor-gpu';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  maxAbsDiff,
  randomizeWeights,
  readWeights,
  SMALL_GPT2,
  SMALL_LLAMA,
  startCompute,
} from '../test/models.js';
import { referenceForward } from '../test/referenceForward.js';
import { Transformer } from './transformer.js';

beforeAll(startCompute);

describe.each([
  ['GPT-2', SMALL_GPT2],
  ['Llama', SMALL_LLAMA],
])('Transformer (%s shape)', (_, config) => {
  it('gives the logits of the typed-array reference', () => {
    // Arrange
    const model = new Transformer(config, { initialize: false });
    randomizeWeights(model.parameters(), 7);
    const ids = [3, 17, 0, 9, 9, 41, 2, 30, 11, 5, 25, 1];
    // Act
    const logits = model.forward([ids]);
    const expected = referenceForward(model.config, readWeights(model.parameters()), ids);
    // Assert
    expect(logits.shape).toEqual([1, ids.length, model.config.vocabSize]);
    const got = logits.dataSync();
    expect(
      maxAbsDiff(
        got,
        expected.flatMap((row) => [...row]),
      ),
    ).toBeLessThan(1e-4);
    logits.dispose();
    model.dispose();
  });

  it('frees every intermediate tensor', () => {
    const model = new Transformer(config, { seed: 1 });
    const logits = leakCheck(() => model.forward([[1, 2, 3]]));
    logits.dispose();
    const before = memoryReport().tensors;
    model.dispose();
    expect(memoryReport().tensors).toBe(before - model.parameterSpecs().length);
  });

  it('starts near the uniform distribution: loss ≈ ln(vocabSize)', () => {
    const model = new Transformer(config, { seed: 3 });
    const ids = Array.from({ length: 20 }, (_, i) => (i * 7) % model.config.vocabSize);
    const { loss, tokenCount } = model.loss([ids.slice(0, -1)], [ids.slice(1)]);
    expect(tokenCount).toBe(19);
    // Logits start with a spread of about 0.02·√width·(embedding scale), so the loss sits
    // within a few hundredths of ln V.
    expect(Math.abs(loss.dataSync()[0]! - Math.log(model.config.vocabSize))).toBeLessThan(0.1);
    loss.dispose();
    model.dispose();
  });
});

describe('Transformer gradients', () => {
  it.each([
    ['GPT-2', { ...SMALL_GPT2, vocabSize: 20, width: 16, heads: 2, contextLength: 8 }],
    [
      'Llama',
      {
        ...SMALL_LLAMA,
        vocabSize: 20,
        width: 16,
        heads: 4,
        kvHeads: 2,
        mlpWidth: 24,
        contextLength: 8,
      },
    ],
  ] as const)('of the whole %s model match central finite differences', (_, config) => {
    // Arrange: weights large enough that every nonlinearity bends the loss.
    const model = new Transformer(config, { initialize: false });
    const parameters = model.parameters();
    randomizeWeights(parameters, 5);
    const inputs = [
      [1, 4, 9, 16, 5, 0, 19],
      [7, 7, 3, 2, 11, 13, 6],
    ];
    const targets = [
      [4, 9, 16, 5, 0, 19, 2],
      [7, 3, 2, -100, 13, 6, 8],
    ];
    const lossValue = (): number => scope(() => model.loss(inputs, targets).loss.dataSync()[0]!);
    // Act
    const { value, grads } = parameterGrads(() => model.loss(inputs, targets).loss, parameters);
    const analytic = new Map(Object.entries(grads).map(([n, g]) => [n, g.dataSync()]));
    dispose([value, ...Object.values(grads)]);
    // Assert: every parameter has a gradient, and sampled coordinates match differences.
    expect([...analytic.keys()].sort()).toEqual(Object.keys(parameters).sort());
    const rng = new Random(9);
    const h = 1e-2;
    for (const [name, variable] of Object.entries(parameters)) {
      const original = variable.dataSync().slice() as Float32Array;
      for (let sample = 0; sample < 2; sample++) {
        const i = rng.int(original.length);
        const shifted = (delta: number): number => {
          const values = original.slice();
          values[i]! += delta;
          variable.assign(ops.tensor(values, variable.shape));
          return lossValue();
        };
        const numeric = (shifted(h) - shifted(-h)) / (2 * h);
        variable.assign(ops.tensor(original, variable.shape));
        const exact = analytic.get(name)![i]!;
        expect(Math.abs(numeric - exact), `${name}[${i}]: ${numeric} vs ${exact}`).toBeLessThan(
          2e-4 + 1e-2 * Math.abs(exact),
        );
      }
    }
    model.dispose();
  });
});
