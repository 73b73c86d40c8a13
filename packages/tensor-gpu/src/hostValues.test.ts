import { beforeAll, describe, expect, it } from 'vitest';
import { webGpuUnavailable } from '../test/fusedTestKit.js';
import { initCompute } from './compute.js';
import { hostValues } from './hostValues.js';
import { dispose } from './memory.js';
import * as ops from './ops.js';

describe.each(['cpu', 'wasm'] as const)('hostValues on %s', (backend) => {
  it('reads every tensor, computed or not', async () => {
    await initCompute({ backend });
    const x = ops.tensor1d([1, 2, 3]);
    const y = ops.mul(x, 2);
    expect(Array.from(hostValues(x)!)).toEqual([1, 2, 3]);
    expect(Array.from(hostValues(y)!)).toEqual([2, 4, 6]);
    dispose([x, y]);
  });
});

const noWebGpu = await webGpuUnavailable();

describe.skipIf(noWebGpu !== '')(
  `hostValues on webgpu${noWebGpu ? ` — skipped: ${noWebGpu}` : ''}`,
  () => {
    beforeAll(async () => {
      await initCompute({ backend: 'webgpu' });
    });

    it('reads tensors made from host arrays, and leaves device results to data()', async () => {
      // 8192 elements: above the size under which the WebGPU backend computes on the CPU.
      const host = Float32Array.from({ length: 8192 }, (_, i) => i % 7);
      const x = ops.tensor1d(host);
      expect(hostValues(x)).toEqual(host);
      const y = ops.mul(x, 2);
      expect(hostValues(y)).toBeUndefined();
      const read = await y.data();
      expect(read[6]).toBe(12);
      dispose([x, y]);
    });

    it('keeps int32 and bool tensors readable after a kernel moved them to the device', async () => {
      const ids = ops.tensor1d(
        Int32Array.from({ length: 64 }, (_, i) => i % 9),
        'int32',
      );
      const table = ops.ones([9, 256]);
      const rows = ops.gather(table, ids); // 16,384 outputs: runs on the device
      await rows.data();
      expect(Array.from(hostValues(ids)!).slice(0, 10)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 0]);
      expect(Array.from(hostValues(ops.reshape(ids, [8, 8]))!)).toHaveLength(64);
      dispose([ids, table, rows]);
    });
  },
);
