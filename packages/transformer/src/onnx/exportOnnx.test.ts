/**
 * The `'optimum'` layout (Hugging Face optimum's GPT-2 names and growing cache) run in
 * onnxruntime-node gives the tfjs model's logits, for a prompt, for decoding steps that feed the
 * `present.*` outputs back, and for a left-padded batch (mask built in the graph).
 */
import { type OnnxArray, OnnxSession } from '@llmkit/tensor-gpu/onnx';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  maxAbsDiff,
  randomizeWeights,
  SMALL_GPT2,
  SMALL_LLAMA,
  startCompute,
} from '../../test/models.js';
import { Transformer } from '../transformer.js';
import { exportOnnx } from './exportOnnx.js';

beforeAll(startCompute);

const int64 = (dims: number[], values: number[]): OnnxArray => ({
  dataType: 'int64',
  dims,
  data: BigInt64Array.from(values, BigInt),
});

describe("exportOnnx, layout 'optimum'", () => {
  let model: Transformer;
  let session: OnnxSession;
  const { layers, heads, headDim } = { layers: 2, heads: 4, headDim: 8 }; // SMALL_GPT2
  beforeAll(() => {
    model = new Transformer(SMALL_GPT2, { initialize: false });
    randomizeWeights(model.parameters(), 5);
    session = OnnxSession.create(exportOnnx(model, { layout: 'optimum' }));
  });
  afterAll(() => {
    session.dispose();
    model.dispose();
  });

  it('has the names transformers.js looks for', () => {
    const inputs = session.inputs.map((i) => i.name);
    expect(inputs.slice(0, 3).sort()).toEqual(['attention_mask', 'input_ids', 'position_ids']);
    expect(inputs).toContain(`past_key_values.${layers - 1}.value`);
    expect(session.outputs.map((o) => o.name)).toContain(`present.${layers - 1}.key`);
  });

  it('decodes a left-padded batch through its growing cache as the tfjs model does', async () => {
    const rows = [
      [0, 0, 5, 1],
      [3, 8, 6, 2],
    ];
    const mask = [0, 0, 1, 1, 1, 1, 1, 1];
    const positions = [0, 0, 0, 1, 0, 1, 2, 3];
    const slow = model.createCache(2);
    let past: Record<string, OnnxArray> = {};
    for (let i = 0; i < layers; i++)
      for (const kind of ['key', 'value'])
        past[`past_key_values.${i}.${kind}`] = {
          dataType: 'float32',
          dims: [2, heads, 0, headDim],
          data: new Float32Array(0),
        };
    const run = (ids: number[][], maskSoFar: number[], pos: number[]): Float32Array => {
      const out = session.run({
        input_ids: int64([2, ids[0]!.length], ids.flat()),
        attention_mask: int64([2, maskSoFar.length / 2], maskSoFar),
        position_ids: int64([2, ids[0]!.length], pos),
        ...past,
      });
      past = {};
      for (const [name, value] of Object.entries(out))
        if (name.startsWith('present.')) past[name.replace('present', 'past_key_values')] = value;
      const [, t, v] = out.logits!.dims as [number, number, number];
      const data = out.logits!.data as Float32Array;
      return Float32Array.from(
        { length: 2 * v },
        (_, j) => data[(Math.floor(j / v) * t + t - 1) * v + (j % v)]!,
      );
    };
    let expected = await model.nextLogits(rows, slow, Uint8Array.from(mask));
    expect(maxAbsDiff(run(rows, mask, positions), expected)).toBeLessThan(1e-4);
    let grown = mask;
    for (const [step, next] of [
      [0, [4, 7]],
      [1, [9, 1]],
    ] as const) {
      grown = [...grown.slice(0, 4 + step), 1, ...grown.slice(4 + step), 1];
      expected = await model.nextLogits(
        next.map((t) => [t]),
        slow,
      );
      const got = run(
        next.map((t) => [t]),
        grown,
        [2 + step, 4 + step],
      );
      expect(maxAbsDiff(got, expected)).toBeLessThan(1e-4);
    }
    slow.dispose();
  });

  it('refuses a model optimum’s GPT-2 layout cannot describe', () => {
    const llama = new Transformer(SMALL_LLAMA, { initialize: false });
    expect(() => exportOnnx(llama, { layout: 'optimum' })).toThrow(/GPT-2's shape/);
    llama.dispose();
    expect(() => exportOnnx(model, { layout: 'onnx' as 'optimum' })).toThrow(
      /expected 'llmkit' or 'optimum'/,
    );
  });
});
