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

describe.each([
  ['GPT-2', SMALL_GPT2],
  ['Llama', SMALL_LLAMA],
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
