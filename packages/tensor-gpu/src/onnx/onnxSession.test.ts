/**
 * Graphs written by `encodeOnnxModel` (and the reference package's golden bytes) run in
 * onnxruntime-node and agree with the same computation in tfjs; bad models and bad feeds fail
 * with clear errors. Skipped, saying so, where onnxruntime-node is not installed.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Random } from '@llmkit/numeric';
import { describe, expect, it } from 'vitest';
import { expectClose, useMode } from '../../test/fusedTestKit.js';
import { gelu } from '../gelu.js';
import { loadOnnxRuntime } from '../internal/onnxruntime.js';
import { layerNorm } from '../layerNorm.js';
import { scope } from '../memory.js';
import * as ops from '../ops.js';
import { encodeOnnxModel, type OnnxModel, type OnnxTensor } from './onnxModel.js';
import { OnnxSession } from './onnxSession.js';

const ort = loadOnnxRuntime();
const why = ort instanceof Error ? ort.message : '';

const rng = new Random(21);
const randoms = (n: number, std: number): Float32Array =>
  Float32Array.from({ length: n }, () => rng.normal(0, std));
const weight = (name: string, dims: number[], std = 0.5): OnnxTensor => ({
  name,
  dataType: 'float32',
  dims,
  data: randoms(
    dims.reduce((a, b) => a * b, 1),
    std,
  ),
});

// A transformer MLP block: softmax(gelu(LayerNorm(x)·W1 + b1)·W2 + b2), batch left symbolic.
const [gamma, beta, w1, b1, w2, b2] = [
  weight('gamma', [8]),
  weight('beta', [8]),
  weight('w1', [8, 16]),
  weight('b1', [16]),
  weight('w2', [16, 4]),
  weight('b2', [4]),
];
const mlp: OnnxModel = {
  graph: {
    name: 'mlp_block',
    nodes: [
      {
        opType: 'LayerNormalization',
        inputs: ['x', 'gamma', 'beta'],
        outputs: ['h'],
        attributes: { axis: { type: 'int', value: -1 }, epsilon: { type: 'float', value: 1e-5 } },
      },
      { opType: 'MatMul', inputs: ['h', 'w1'], outputs: ['h1'] },
      { opType: 'Add', inputs: ['h1', 'b1'], outputs: ['h2'] },
      { opType: 'Gelu', domain: 'com.microsoft', inputs: ['h2'], outputs: ['g'] },
      { opType: 'MatMul', inputs: ['g', 'w2'], outputs: ['o1'] },
      { opType: 'Add', inputs: ['o1', 'b2'], outputs: ['o2'] },
      {
        opType: 'Softmax',
        inputs: ['o2'],
        outputs: ['y'],
        attributes: { axis: { type: 'int', value: -1 } },
      },
    ],
    inputs: [{ name: 'x', dataType: 'float32', shape: ['batch', 8] }],
    outputs: [{ name: 'y', dataType: 'float32', shape: ['batch', 4] }],
    initializers: [gamma, beta, w1, b1, w2, b2],
  },
  opsetImports: [
    { domain: '', version: 17 },
    { domain: 'com.microsoft', version: 1 },
  ],
};

const x = randoms(5 * 8, 2);
const feed = { x: { dataType: 'float32' as const, dims: [5, 8], data: x } };

describe.skipIf(ort instanceof Error)(`OnnxSession${why ? ` (skipped: ${why})` : ''}`, () => {
  it('runs a written transformer MLP block as tfjs computes it, on every backend and mode', async () => {
    const session = OnnxSession.create(mlp, { threads: 1 });
    expect(session.inputs).toEqual([{ name: 'x', dataType: 'float32', shape: ['batch', 8] }]);
    const { y } = session.run(feed);
    expect(y!.dims).toEqual([5, 4]);
    session.dispose();
    for (const mode of ['fast', 'engine'] as const) {
      for (const backend of ['cpu', 'wasm'] as const) {
        await useMode(backend, mode);
        const expected = scope(() => {
          const t = (w: OnnxTensor) => ops.tensor(w.data as Float32Array, [...w.dims]);
          const h = layerNorm(ops.tensor(x, [5, 8]), t(gamma), t(beta), 1e-5);
          const g = gelu(ops.add(ops.matMul(h, t(w1)), t(b1)));
          return ops.softmax(ops.add(ops.matMul(g, t(w2)), t(b2))).dataSync();
        });
        expectClose(y!.data as Float32Array, expected, 2e-6, 2e-5, `${backend}/${mode}`);
      }
    }
  });

  it('runs the golden model the onnx package wrote, and loads from a file path', () => {
    const golden = JSON.parse(
      readFileSync(new URL('../../test/fixtures/onnx_golden.json', import.meta.url), 'utf8'),
    ) as { models: Record<string, string> };
    const bytes = Uint8Array.from(Buffer.from(golden.models.mlp!, 'base64'));
    const dir = mkdtempSync(join(tmpdir(), 'llmkit-onnx-'));
    try {
      const path = join(dir, 'mlp.onnx');
      writeFileSync(path, bytes);
      for (const session of [OnnxSession.create(bytes), OnnxSession.create(path)]) {
        const input = Float32Array.from([1, -2, 0.5, 3, 0, 0, 0, 0]);
        const { y } = session.run({ x: { dataType: 'float32', dims: [2, 4], data: input } });
        // softmax(relu(x·w + b)) with w = (i − 6)/8 row-major [4, 3], b = [0.25, −1.5, 3].
        const expected = scope(() => {
          const w = ops.tensor(
            Array.from({ length: 12 }, (_, i) => (i - 6) / 8),
            [4, 3],
          );
          const h = ops.relu(
            ops.add(ops.matMul(ops.tensor(input, [2, 4]), w), ops.tensor([0.25, -1.5, 3])),
          );
          return ops.softmax(h).dataSync();
        });
        expectClose(y!.data as Float32Array, expected, 1e-6, 1e-6, 'golden mlp');
        session.dispose();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('writes into preallocated outputs (IO binding) and runs the same with more threads', () => {
    const session = OnnxSession.create(mlp, { threads: 2 });
    const data = new Float32Array(20);
    const out = { dataType: 'float32' as const, dims: [5, 4], data };
    const { y } = session.run(feed, { outputs: { y: out } });
    expect(y!.data).toBe(data);
    const single = OnnxSession.create(mlp);
    expectClose(data, single.run(feed).y!.data as Float32Array, 1e-7, 1e-6, 'threads');
    session.dispose();
    single.dispose();
  });

  it('binds feeds and outputs once and reruns on their current contents', () => {
    const session = OnnxSession.create(mlp);
    const input = Float32Array.from(x);
    const out = new Float32Array(20);
    const bound = session.bind(
      { x: { dataType: 'float32', dims: [5, 8], data: input } },
      { y: { dataType: 'float32', dims: [5, 4], data: out } },
    );
    bound.run();
    expectClose(out, session.run(feed).y!.data as Float32Array, 0, 0, 'bound');
    input.reverse();
    bound.run();
    const reversed = { x: { ...feed.x, data: Float32Array.from(x).reverse() } };
    expectClose(out, session.run(reversed).y!.data as Float32Array, 0, 0, 'rebound');
    expect(() => session.bind(feed, { z: feed.x })).toThrow(
      /OnnxSession\.bind\(outputs\.z\): the model has no output "z"; its outputs are y/,
    );
    expect(() => session.bind(feed, { y: { ...feed.x, dims: [5, 8] } })).toThrow(/expects shape/);
    session.dispose();
    expect(() => bound.run()).toThrow(/OnnxBoundRun\.run\(this\): the session was disposed/);
  });

  it('refuses corrupt and truncated models with the runtime’s reason', () => {
    expect(() => OnnxSession.create(Uint8Array.from([8, 200, 1, 2, 3]))).toThrow(
      /OnnxSession\.create\(model\): onnxruntime-node .* could not load the model: .*protobuf/,
    );
    const bytes = encodeOnnxModel(mlp);
    expect(() => OnnxSession.create(bytes.subarray(0, bytes.length >> 1))).toThrow(
      /could not load the model/,
    );
    expect(() => OnnxSession.create('/nonexistent/model.onnx')).toThrow(/could not load the model/);
  });

  it('names what is wrong with a feed', () => {
    const session = OnnxSession.create(mlp);
    expect(() => session.run({})).toThrow(/OnnxSession\.run\(feeds\): missing input "x"/);
    expect(() => session.run({ ...feed, z: feed.x })).toThrow(/no input "z"; its inputs are x/);
    expect(() =>
      session.run({ x: { dataType: 'int32', dims: [5, 8], data: new Int32Array(40) } }),
    ).toThrow(/feeds\.x\): expected float32, received int32/);
    expect(() =>
      session.run({ x: { dataType: 'float32', dims: [5, 7], data: new Float32Array(35) } }),
    ).toThrow(/expects shape \[batch, 8\], received \[5, 7\]/);
    expect(() =>
      session.run({ x: { dataType: 'float32', dims: [5, 8], data: new Float32Array(3) } }),
    ).toThrow(/hold 40 elements, but data has 3/);
    session.dispose();
    expect(() => session.run(feed)).toThrow(/disposed/);
  });
});
