import { beforeAll, describe, expect, it } from 'vitest';
import { AdamW } from './adamW.js';
import { initCompute } from './compute.js';
import { dispose, scope } from './memory.js';
import * as ops from './ops.js';
import { decodeOptimizerState, encodeOptimizerState } from './optimizerState.js';
import { readSafetensors, writeSafetensors } from './safetensors.js';

beforeAll(async () => {
  await initCompute({ backend: 'cpu' });
});

describe('optimizer state in safetensors', () => {
  it('round-trips through a file and resumes identically', async () => {
    const make = () =>
      scope(() => ({
        'mlp.weight': ops.variable(ops.randomNormal([3, 2], 0, 1, 'float32', 1)),
        'mlp.bias': ops.variable(ops.zeros([2])),
      }));
    const params = make();
    const optimizer = new AdamW(params, { learningRate: 0.01 });
    const grads = scope(() => ({ 'mlp.weight': ops.ones([3, 2]), 'mlp.bias': ops.ones([2]) }));
    optimizer.step(grads);
    optimizer.step({ 'mlp.weight': grads['mlp.weight'] });
    const state = await optimizer.state();
    const { entries, metadata } = encodeOptimizerState(state);
    expect(Object.keys(entries).sort()).toEqual([
      'mlp.bias/m',
      'mlp.bias/v',
      'mlp.weight/m',
      'mlp.weight/v',
    ]);
    const file = readSafetensors(writeSafetensors(entries, { metadata }));
    const decoded = decodeOptimizerState(file.tensors, file.metadata);
    expect(decoded).toEqual(state);
    const restored = new AdamW(make(), { learningRate: 0.01 });
    restored.loadState(decoded);
    expect(await restored.state()).toEqual(state);
    optimizer.dispose();
    restored.dispose();
    dispose([params, grads]);
  });

  it('refuses files that are not optimizer state', () => {
    expect(() => decodeOptimizerState({}, { format: 'pt' })).toThrow(
      /decodeOptimizerState\(metadata\): optimizer\.kind is missing/,
    );
    const metadata = {
      'optimizer.kind': 'adamw',
      'optimizer.stepCount': '1',
      'optimizer.steps': '{"w":1}',
    };
    const stray = { 'x/m': { dtype: 'F32' as const, shape: [1], data: new Float32Array(1) } };
    expect(() => decodeOptimizerState(stray, metadata)).toThrow(/"x\/m" belongs to no parameter/);
  });
});
