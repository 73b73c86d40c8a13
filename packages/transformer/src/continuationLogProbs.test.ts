/** Continuation log-probabilities against the log-softmax of the full forward pass. */
import { logSoftmax } from '@llmkit/numeric';
import { dispose } from '@llmkit/tensor-gpu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomizeWeights, SMALL_LLAMA, startCompute } from '../test/models.js';
import { continuationLogProbs } from './continuationLogProbs.js';
import { Transformer } from './transformer.js';

beforeAll(startCompute);

describe('continuationLogProbs', () => {
  let model: Transformer;
  beforeAll(() => {
    model = new Transformer(SMALL_LLAMA, { initialize: false });
    randomizeWeights(model.parameters(), 21);
  });
  afterAll(() => model.dispose());

  /** The definition on one sequence: Σ log softmax(logits[t − 1])[x_t] over the continuation. */
  function reference(
    context: number[],
    continuation: number[],
  ): { logProb: number; isGreedy: boolean } {
    const whole = [...context, ...continuation];
    const logits = model.forward([whole.slice(0, -1)]);
    const v = model.config.vocabSize;
    const values = logits.dataSync();
    dispose(logits);
    let logProb = 0;
    let isGreedy = true;
    for (let t = context.length; t < whole.length; t++) {
      const row = values.slice((t - 1) * v, t * v);
      logProb += logSoftmax(row)[whole[t]!]!;
      if (row.indexOf(Math.max(...row)) !== whole[t]) isGreedy = false;
    }
    return { logProb, isGreedy };
  }

  const requests = [
    { context: [1, 2, 3], continuation: [4] },
    { context: [5], continuation: [6, 7, 8, 9] },
    { context: [10, 11, 12, 13, 14, 15], continuation: [16, 17] },
    { context: [0], continuation: [0] },
  ];

  it('sums the log-softmax of each continuation token, in batches of any size', async () => {
    const expected = requests.map((r) => reference(r.context, r.continuation));
    for (const batchSize of [1, 3, 8]) {
      const scores = await continuationLogProbs(model, requests, { batchSize });
      for (const [i, score] of scores.entries()) {
        expect(score.logProb).toBeCloseTo(expected[i]!.logProb, 4);
        expect(score.isGreedy).toBe(expected[i]!.isGreedy);
        expect(score.tokenLogProbs).toHaveLength(requests[i]!.continuation.length);
      }
    }
  });

  it('marks a greedy continuation as greedy', async () => {
    const greedy: number[] = [];
    for await (const token of model.generate([3, 1], { temperature: 0, maxNewTokens: 3 }))
      greedy.push(token);
    const [score] = await continuationLogProbs(model, [{ context: [3, 1], continuation: greedy }]);
    expect(score!.isGreedy).toBe(true);
  });

  it('drops the earliest context tokens when a pair passes the context length', async () => {
    const limit = model.config.contextLength;
    const context = Array.from({ length: limit + 5 }, (_, i) => i % 40);
    const [long] = await continuationLogProbs(model, [{ context, continuation: [1, 2] }]);
    const kept = [...context, 1, 2].slice(-(limit + 1));
    expect(long!.logProb).toBeCloseTo(reference(kept.slice(0, -2), [1, 2]).logProb, 4);
  });

  it('reports progress, and rejects empty or over-long requests', async () => {
    const seen: number[] = [];
    await continuationLogProbs(model, requests, {
      batchSize: 2,
      onProgress: (done) => seen.push(done),
    });
    expect(seen).toEqual([2, 4]);
    await expect(continuationLogProbs(model, [{ context: [], continuation: [1] }])).rejects.toThrow(
      /beginning-of-text/,
    );
    await expect(
      continuationLogProbs(model, [{ context: [1], continuation: new Array(30).fill(1) }]),
    ).rejects.toThrow(/at most the context length 24/);
    const controller = new AbortController();
    controller.abort();
    await expect(
      continuationLogProbs(model, requests, { signal: controller.signal }),
    ).rejects.toMatchObject({
      code: 'ABORTED',
    });
  });
});
