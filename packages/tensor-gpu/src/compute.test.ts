import { afterEach, describe, expect, it, vi } from 'vitest';
import { computeInfo, initCompute } from './compute.js';
import { TensorError } from './errors.js';
import * as ops from './ops.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('initCompute', () => {
  it.each(['cpu', 'wasm'] as const)('starts the %s backend and reports it', async (backend) => {
    const info = await initCompute({ backend });
    expect(info.backend).toBe(backend);
    expect(info.threads).toBeGreaterThanOrEqual(1);
    expect(info.device).not.toBe('');
    expect(info.fallbacks).toEqual([]);
    expect(computeInfo()).toBe(info);
    const sum = ops.sum(ops.tensor([1, 2, 3]));
    expect(await sum.data()).toEqual(new Float32Array([6]));
    sum.dispose();
  });

  it('reports SIMD for wasm and explains the single thread in Node', async () => {
    const info = await initCompute({ backend: 'wasm', threads: 4 });
    expect(info.features).toContain('simd');
    expect(info.threads).toBe(1);
    expect(info.notes.join(' ')).toMatch(/one thread in Node \(4 requested\)/);
  });

  it('leaves process error handlers as they were (the wasm runtime adds its own)', async () => {
    const before = ['uncaughtException', 'unhandledRejection'].map((e) => process.listenerCount(e));
    await initCompute({ backend: 'wasm' });
    const after = ['uncaughtException', 'unhandledRejection'].map((e) => process.listenerCount(e));
    expect(after).toEqual(before);
  });

  it('prints nothing: no tfjs banner on the first cpu tensor', async () => {
    const spies = (['log', 'warn', 'info', 'error'] as const).map((m) =>
      vi.spyOn(console, m).mockImplementation(() => undefined),
    );
    await initCompute({ backend: 'cpu' });
    ops.tensor([1]).dispose();
    for (const spy of spies) expect(spy).not.toHaveBeenCalled();
  });

  it("'auto' records why it passed over faster backends", async () => {
    const info = await initCompute();
    const passed = info.fallbacks.map((f) => f.backend);
    expect(['webgpu', 'wasm', 'cpu'].indexOf(info.backend)).toBe(passed.length);
    for (const fallback of info.fallbacks) expect(fallback.reason).not.toBe('');
  });

  it('throws with the reason when an explicitly named backend cannot start', async () => {
    // Only meaningful without any WebGPU adapter; a software one (lavapipe in CI) is passed over
    // by 'auto' yet starts when named (softwareAdapter.test.ts).
    const auto = await initCompute();
    const passedOver = auto.fallbacks.find((f) => f.backend === 'webgpu')?.reason ?? '';
    if (auto.backend === 'webgpu' || /software/.test(passedOver)) return;
    const error = await initCompute({ backend: 'webgpu' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TensorError);
    expect((error as TensorError).code).toBe('UNAVAILABLE');
    expect((error as TensorError).message).toMatch(
      /^@llmkit\/tensor-gpu: initCompute\(options\.backend\): the webgpu backend cannot run here \(webgpu: .+\)/,
    );
  });

  it('rejects unknown backend names and bad thread counts', () => {
    expect(() => initCompute({ backend: 'tpu' as 'cpu' })).toThrow(
      /initCompute\(options\.backend\): unknown backend "tpu"; expected one of 'auto', 'webgpu', 'wasm', 'cpu'/,
    );
    expect(() => initCompute({ threads: 0 })).toThrow(TensorError);
    expect(() => initCompute({ threads: 1.5 })).toThrow(/options\.threads/);
  });
});
