/**
 * The model against its educational twin (`test/referenceForward.ts`, plain float64 arrays),
 * for a GPT-2-shaped and a Llama-shaped config with seeded weights; the loss of an untrained
 * model; tensor lifetimes.
 */
import { leakCheck, memoryReport } from '@llmkit/tensor-gpu';
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
