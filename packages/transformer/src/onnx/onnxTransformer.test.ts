/**
 * The ONNX export run in onnxruntime-node gives the tfjs model's logits (to 1e-4), for a full
 * pass, for cached decoding and for a left-padded batch, and generation through it produces the
 * tfjs model's tokens.
 */
import { dispose } from '@llmkit/tensor-gpu';
import { encodeOnnxModel } from '@llmkit/tensor-gpu/onnx';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  GOLDEN_IDS,
  maxAbsDiff,
  randomizeWeights,
  SMALL_GPT2,
  SMALL_LLAMA,
  startCompute,
} from '../../test/models.js';
import { generate, generateBatch } from '../generate.js';
import { Transformer } from '../transformer.js';
import { exportOnnx } from './exportOnnx.js';
import { OnnxTransformer } from './onnxTransformer.js';

beforeAll(startCompute);

async function collect(tokens: AsyncIterable<number>): Promise<number[]> {
  const out: number[] = [];
  for await (const t of tokens) out.push(t);
  return out;
}

// A context past two blocks of the ONNX cache arrays (32 slots each), so decoding grows them.
describe.each([
  ['GPT-2', { ...SMALL_GPT2, contextLength: 80 }],
  ['Llama', { ...SMALL_LLAMA, contextLength: 80 }],
])('OnnxTransformer (%s shape)', (_, config) => {
  let model: Transformer;
  let fast: OnnxTransformer;
  beforeAll(() => {
    model = new Transformer(config, { initialize: false });
    randomizeWeights(model.parameters(), 31);
    fast = OnnxTransformer.create(model);
  });
  afterAll(() => {
    fast.dispose();
    model.dispose();
  });

  it('gives the logits of the tfjs model to 1e-4', () => {
    const ids = GOLDEN_IDS.map((row) => [...row]);
    const expected = model.forward(ids);
    const got = fast.forward(ids);
    expect(got.dims).toEqual(expected.shape);
    expect(maxAbsDiff(got.data as Float32Array, expected.dataSync())).toBeLessThan(1e-4);
    dispose(expected);
  });

  it('decodes through its KV cache, left-padded rows included, as the tfjs model does', async () => {
    const prompts = [[5, 1, 7, 2, 9], [3], [8, 8, 4]];
    const padded = prompts.map((p) => [...new Array(5 - p.length).fill(0), ...p]);
    const mask = Uint8Array.from(
      padded.flatMap((row, b) => row.map((_, t) => (t >= 5 - prompts[b]!.length ? 1 : 0))),
    );
    const slow = model.createCache(3);
    const quick = fast.createCache(3);
    for (const step of [padded, [[4], [2], [1]], [[6], [0], [1]]]) {
      const paddingMask = step === padded ? mask : undefined;
      const a = await model.nextLogits(step, slow, paddingMask);
      const b = fast.nextLogits(step, quick, paddingMask);
      expect(maxAbsDiff(a, b)).toBeLessThan(1e-4);
    }
    expect(quick.length).toBe(7);
    slow.dispose();
    quick.dispose();
  });

  it('keeps decoding as the tfjs model does while its cache arrays grow', async () => {
    const slow = model.createCache(1);
    const quick = fast.createCache(1);
    let tokens = [[3, 1, 4, 1, 5]];
    for (let step = 0; step < 70; step++) {
      const a = await model.nextLogits(tokens, slow);
      const b = fast.nextLogits(tokens, quick);
      expect(maxAbsDiff(a, b)).toBeLessThan(1e-4);
      tokens = [[(step * 7 + 3) % config.vocabSize]];
    }
    expect(quick.length).toBe(74);
    expect(quick.capacity).toBe(80);
    slow.dispose();
    quick.dispose();
    const greedy = { maxNewTokens: 70, temperature: 0 } as const;
    expect(await collect(generate(fast, [1, 2, 3], greedy))).toEqual(
      await collect(generate(model, [1, 2, 3], greedy)),
    );
  });

  it('slides past the context as the tfjs model does', async () => {
    const options = { maxNewTokens: 100, temperature: 0, contextOverflow: 'slide' } as const;
    expect(await collect(generate(fast, [1, 2, 3], options))).toEqual(
      await collect(generate(model, [1, 2, 3], options)),
    );
  });

  it('takes several tokens per row after a filled cache, one row or a padded batch', async () => {
    for (const [prompt, chunk, mask] of [
      [[[5, 1, 7]], [[2, 9, 4, 4]], undefined],
      [
        [
          [0, 5, 1],
          [3, 8, 6],
        ],
        [
          [2, 9],
          [7, 7],
        ],
        Uint8Array.of(0, 1, 1, 1, 1, 1),
      ],
    ] as const) {
      const rows = prompt.length;
      const slow = model.createCache(rows);
      const quick = fast.createCache(rows);
      const copy = (t: readonly (readonly number[])[]): number[][] => t.map((r) => [...r]);
      await model.nextLogits(copy(prompt), slow, mask);
      fast.nextLogits(copy(prompt), quick, mask);
      const expected = model.forward(copy(chunk), { cache: slow });
      const got = fast.forward(copy(chunk), { cache: quick });
      expect(got.dims).toEqual(expected.shape);
      expect(maxAbsDiff(got.data as Float32Array, expected.dataSync())).toBeLessThan(1e-4);
      dispose(expected);
      const a = await model.nextLogits(
        [...Array(rows)].map(() => [1]),
        slow,
      );
      const b = fast.nextLogits(
        [...Array(rows)].map(() => [1]),
        quick,
      );
      expect(maxAbsDiff(a, b)).toBeLessThan(1e-4);
      slow.dispose();
      quick.dispose();
    }
  });

  it('generates the tfjs model’s tokens', async () => {
    const options = { maxNewTokens: 10, temperature: 0.9, topK: 20, seed: 4 } as const;
    expect(await collect(generate(fast, [1, 2, 3], options))).toEqual(
      await collect(generate(model, [1, 2, 3], options)),
    );
    const prompts = [[1, 2], [3]];
    expect(await generateBatch(fast, prompts, { ...options, temperature: 0 })).toEqual(
      await generateBatch(model, prompts, { ...options, temperature: 0 }),
    );
  });

  it('encodes to an .onnx file whose metadata holds the config', () => {
    const graph = exportOnnx(model);
    expect(JSON.parse(graph.metadata!.llmkit_config!)).toMatchObject({
      vocabSize: model.config.vocabSize,
    });
    expect(encodeOnnxModel(graph).byteLength).toBeGreaterThan(4 * model.numParams());
  });
});
