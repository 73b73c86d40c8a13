/**
 * Generation with the KV cache produces the tokens of the naive loop that recomputes the whole
 * sequence for every token; batched generation produces each row's tokens; stops, limits,
 * cancellation and context overflow.
 */
import { Random } from '@llmkit/numeric';
import { dispose } from '@llmkit/tensor-gpu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomizeWeights, SMALL_GPT2, SMALL_LLAMA, startCompute } from '../test/models.js';
import { TransformerError } from './errors.js';
import { generate, generateBatch } from './generate.js';
import { type SamplingOptions, sampleToken } from './sampling.js';
import { Transformer } from './transformer.js';

beforeAll(startCompute);

/** The definition: recompute the full forward pass for every new token. */
function naive(
  model: Transformer,
  prompt: number[],
  n: number,
  options: SamplingOptions,
  seed: number,
): number[] {
  const random = new Random(seed);
  const sequence = [...prompt];
  for (let i = 0; i < n; i++) {
    const logits = model.forward([sequence]);
    const v = model.config.vocabSize;
    const last = logits.dataSync().slice((sequence.length - 1) * v, sequence.length * v);
    dispose(logits);
    sequence.push(sampleToken(last, sequence, options, random));
  }
  return sequence.slice(prompt.length);
}

async function collect(tokens: AsyncIterable<number>): Promise<number[]> {
  const out: number[] = [];
  for await (const t of tokens) out.push(t);
  return out;
}

describe.each([
  ['GPT-2', SMALL_GPT2],
  ['Llama', SMALL_LLAMA],
])('generate (%s shape)', (_, config) => {
  let model: Transformer;
  beforeAll(() => {
    model = new Transformer(config, { initialize: false });
    randomizeWeights(model.parameters(), 3);
  });
  afterAll(() => model.dispose());

  it.each([
    ['greedy', { temperature: 0 }],
    ['sampled', { temperature: 1.3 }],
    [
      'top-k, top-p, min-p and a repetition penalty',
      { topK: 8, topP: 0.9, minP: 0.05, repetitionPenalty: 1.3 },
    ],
  ] as const)('gives the tokens of full recomputation (%s)', async (_, sampling) => {
    const prompt = [4, 8, 15, 16];
    const cached = await collect(
      model.generate(prompt, { ...sampling, maxNewTokens: 12, seed: 7 }),
    );
    expect(cached).toEqual(naive(model, prompt, 12, sampling, 7));
  });

  it('gives each row of a left-padded batch the tokens it has alone', async () => {
    const prompts = [[1, 2, 3, 4, 5, 6], [7], [9, 9, 2]];
    const options = { temperature: 1, topK: 10, maxNewTokens: 8 } as const;
    const batched = await generateBatch(model, prompts, { ...options, seed: [11, 12, 13] });
    for (const [b, prompt] of prompts.entries()) {
      expect(batched[b]).toEqual(
        await collect(generate(model, prompt, { ...options, seed: 11 + b })),
      );
    }
  });

  it('stops after a stop token or sequence, and after maxNewTokens', async () => {
    const prompt = [3, 1, 4];
    const free = await collect(model.generate(prompt, { temperature: 0, maxNewTokens: 10 }));
    const stopAt = free[4]!;
    const first = free.indexOf(stopAt);
    expect(
      await collect(model.generate(prompt, { temperature: 0, maxNewTokens: 10, stop: [stopAt] })),
    ).toEqual(free.slice(0, first + 1));
    const pair = free.slice(5, 7);
    const stopped = await collect(
      model.generate(prompt, { temperature: 0, maxNewTokens: 10, stop: [pair] }),
    );
    expect(stopped.slice(-2)).toEqual(pair);
    expect(await collect(model.generate(prompt, { maxNewTokens: 0 }))).toEqual([]);
    const rows = await generateBatch(model, [prompt, [2]], {
      temperature: 0,
      maxNewTokens: 10,
      stop: [stopAt],
    });
    expect(rows[0]).toEqual(free.slice(0, first + 1));
  });

  it('is cancelled by an AbortSignal between tokens', async () => {
    const controller = new AbortController();
    const out: number[] = [];
    const run = async (): Promise<void> => {
      for await (const token of model.generate([1], {
        maxNewTokens: 20,
        signal: controller.signal,
      })) {
        out.push(token);
        if (out.length === 3) controller.abort();
      }
    };
    await expect(run()).rejects.toMatchObject({ code: 'ABORTED' });
    expect(out).toHaveLength(3);
  });

  it('refuses to run past the context unless told to slide', async () => {
    const limit = model.config.contextLength;
    await expect(collect(model.generate([1, 2, 3], { maxNewTokens: limit }))).rejects.toThrow(
      /3 tokens and 24 more are asked for, 27 in all, past the context length 24/,
    );
    const slid = await collect(
      model.generate([1, 2, 3], {
        maxNewTokens: 2 * limit,
        contextOverflow: 'slide',
        temperature: 0,
      }),
    );
    expect(slid).toHaveLength(2 * limit);
    // Up to the first slide, sliding changes nothing.
    expect(slid.slice(0, limit - 3)).toEqual(
      naive(model, [1, 2, 3], limit - 3, { temperature: 0 }, 0),
    );
    await expect(
      collect(model.generate([model.config.vocabSize], { maxNewTokens: 1 })),
    ).rejects.toThrow(TransformerError);
    await expect(collect(model.generate([], { maxNewTokens: 1 }))).rejects.toThrow(/empty/);
  });
});
