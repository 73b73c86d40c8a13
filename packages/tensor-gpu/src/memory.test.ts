import { beforeAll, describe, expect, it } from 'vitest';
import { initCompute } from './compute.js';
import { TensorError } from './errors.js';
import { dispose, keep, leakCheck, memoryReport, scope } from './memory.js';
import * as ops from './ops.js';
import type { Tensor } from './tensor.js';

beforeAll(async () => {
  await initCompute({ backend: 'cpu' });
});

describe('scope', () => {
  it('frees intermediates and keeps the result and kept tensors', () => {
    const before = memoryReport().tensors;
    let kept: Tensor | undefined;
    const result = scope(() => {
      const a = ops.tensor([1, 2, 3]);
      kept = keep(ops.mul(a, 2));
      return ops.add(a, 1);
    });
    expect(memoryReport().tensors).toBe(before + 2);
    expect(result.dataSync()).toEqual(new Float32Array([2, 3, 4]));
    dispose([result, kept!]);
    expect(memoryReport().tensors).toBe(before);
  });
});

describe('memoryReport', () => {
  it('counts tensors, shared buffers and bytes', () => {
    const before = memoryReport();
    const a = ops.zeros([10, 10]);
    const b = ops.reshape(a, [100]);
    const c = ops.ones([5], 'bool');
    const after = memoryReport();
    expect(after.backend).toBe('cpu');
    expect(after.tensors - before.tensors).toBe(3);
    expect(after.dataBuffers - before.dataBuffers).toBe(2);
    expect(after.bytes - before.bytes).toBe(400 + 400 + 5);
    dispose({ a, b, c });
  });
});

describe('leakCheck', () => {
  it('passes when only returned tensors remain', () => {
    const out = leakCheck(() => scope(() => ops.square(ops.tensor([1, 2]))));
    expect(out.dataSync()).toEqual(new Float32Array([1, 4]));
    out.dispose();
  });

  it('names the leak in tensors and bytes', () => {
    let leaked: Tensor | undefined;
    const error = (() => {
      try {
        leakCheck(() => {
          leaked = ops.zeros([4]);
          return 1;
        });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(TensorError);
    expect((error as TensorError).code).toBe('LEAK');
    expect((error as Error).message).toMatch(/left 1 tensor\(s\) and 16 byte\(s\) allocated/);
    leaked!.dispose();
  });

  it('checks asynchronous work after it settles, and honours allowances', async () => {
    const state: Tensor[] = [];
    await expect(
      leakCheck(async () => {
        await Promise.resolve();
        state.push(ops.zeros([2]));
      }),
    ).rejects.toThrow(/left 1 tensor/);
    await leakCheck(
      async () => {
        state.push(ops.zeros([2]));
      },
      { allowTensors: 1, allowBytes: 8 },
    );
    dispose(state);
  });
});
