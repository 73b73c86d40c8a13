import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initCompute } from './compute.js';
import { dispose, leakCheck } from './memory.js';
import * as ops from './ops.js';
import { readSafetensors } from './safetensors.js';
import {
  loadSafetensors,
  safetensorsFromTensor,
  saveSafetensors,
  tensorFromSafetensors,
} from './safetensorsTensors.js';

const goldenBytes = new Uint8Array(
  readFileSync(new URL('../test/fixtures/golden.safetensors', import.meta.url)),
);
const golden = JSON.parse(
  readFileSync(new URL('../test/fixtures/golden.json', import.meta.url), 'utf8'),
);

beforeAll(async () => {
  await initCompute({ backend: 'cpu' });
});

describe('loadSafetensors', () => {
  it('loads every dtype of the Python file as float32, int32 or bool tensors', () => {
    // int64 holds -2^40, which int32 cannot: see the next tests.
    const names = Object.keys(golden.tensors).filter((n) => n !== 'int64');
    const { tensors, metadata } = loadSafetensors(goldenBytes, { names });
    expect(metadata).toEqual({ format: 'pt' });
    const expectedDtype: Record<string, string> = {
      F64: 'float32',
      F32: 'float32',
      F16: 'float32',
      BF16: 'float32',
      BOOL: 'bool',
    };
    for (const name of names) {
      const t = golden.tensors[name] as { dtype: string; shape: number[]; values: unknown[] };
      const tensor = tensors[name]!;
      expect(tensor.dtype, name).toBe(expectedDtype[t.dtype] ?? 'int32');
      expect(tensor.shape, name).toEqual(t.shape);
      const values = t.values.map(Number);
      const expected = t.dtype === 'F64' ? Array.from(Float32Array.from(values)) : values;
      expect(Array.from(tensor.dataSync()), name).toEqual(expected);
    }
    dispose(tensors);
  });

  it('loads a selection, and frees what it made when a name is missing', () => {
    const { tensors } = loadSafetensors(goldenBytes, { names: ['int8', 'scalar'] });
    expect(Object.keys(tensors)).toEqual(['int8', 'scalar']);
    expect(tensors.scalar!.shape).toEqual([]);
    dispose(tensors);
    leakCheck(() => {
      expect(() => loadSafetensors(goldenBytes, { names: ['int8', 'nope'] })).toThrow(
        /no tensor named "nope"/,
      );
      expect(() => loadSafetensors(goldenBytes)).toThrow(/tensorFromSafetensors\(int64\)/);
    });
  });

  it('refuses integers int32 cannot hold and booleans other than 0 and 1', () => {
    const i64 = readSafetensors(goldenBytes).tensors.get('int64')!; // holds -2^40
    expect(() => tensorFromSafetensors(i64, 'int64')).toThrow(
      /tensorFromSafetensors\(int64\): element 0 is -1099511627776, outside int32/,
    );
    expect(() =>
      tensorFromSafetensors({ dtype: 'BOOL', shape: [2], data: new Uint8Array([1, 2]) }),
    ).toThrow(/BOOL element 1 is 2/);
  });
});

describe('saveSafetensors', () => {
  it('round-trips float32, int32 and bool tensors exactly through F32', async () => {
    const tensors = {
      w: ops.tensor([
        [1.5, -2],
        [Number.POSITIVE_INFINITY, 3e-39],
      ]),
      ids: ops.tensor([1, -7, 2 ** 31 - 1], [3], 'int32'),
      mask: ops.tensor([true, false], [2], 'bool'),
    };
    const bytes = await saveSafetensors(tensors, { metadata: { step: '12' } });
    const loaded = loadSafetensors(bytes);
    expect(loaded.metadata).toEqual({ step: '12' });
    for (const name of Object.keys(tensors) as (keyof typeof tensors)[]) {
      expect(loaded.tensors[name]!.dtype).toBe(tensors[name].dtype);
      expect(Array.from(loaded.tensors[name]!.dataSync())).toEqual(
        Array.from(tensors[name].dataSync()),
      );
    }
    dispose([tensors, loaded.tensors]);
  });

  it('stores float tensors as F16 or BF16 on request, rounding to nearest even', async () => {
    const t = ops.tensor([1, 1 + 2 ** -11, 65520, 1 + 2 ** -8 + 2 ** -9]);
    const f16 = await safetensorsFromTensor(t, 'F16');
    const bf16 = await safetensorsFromTensor(t, 'BF16');
    expect(f16.dtype).toBe('F16');
    expect(Array.from(tensorFromSafetensors(f16).dataSync())).toEqual([
      1,
      1,
      Number.POSITIVE_INFINITY,
      1.00390625 + 0.001953125,
    ]);
    expect(Array.from(tensorFromSafetensors(bf16).dataSync())).toEqual([1, 1, 65536, 1.0078125]);
    t.dispose();
  });
});
