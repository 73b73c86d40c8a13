import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { initCompute } from '../../compute.js';
import { dispose } from '../../memory.js';
import * as ops from '../../ops.js';
import { unsortedSegmentSumReference } from './unsortedSegmentSum.js';

describe('unsortedSegmentSumReference', () => {
  it('sums rows into segments and drops out-of-range ids', () => {
    const out = new Float32Array(6);
    unsortedSegmentSumReference([1, 2, 3, 4, 5, 6, 7, 8], [2, -1, 0, 2], 3, out);
    expect(Array.from(out)).toEqual([5, 6, 0, 0, 8, 10]);
  });
});

describe.each(['cpu', 'wasm'] as const)('the UnsortedSegmentSum kernel on %s', (backend) => {
  it('equals the reference for any ids, shapes and dtypes', async () => {
    await initCompute({ backend });
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 0, max: 4 }),
        fc.array(fc.integer({ min: -2, max: 7 }), { minLength: 0, maxLength: 12 }),
        fc.boolean(),
        (numSegments, width, ids, integer) => {
          const x = Array.from({ length: ids.length * width }, (_, i) => (i % 7) - 3 + 0.5 * i);
          const dtype = integer ? 'int32' : 'float32';
          const xt = ops.tensor(x, [ids.length, width], dtype);
          const it = ops.tensor1d(ids, 'int32');
          const out = ops.unsortedSegmentSum(xt, it, numSegments);
          const expected = integer
            ? new Int32Array(numSegments * width)
            : new Float32Array(numSegments * width);
          unsortedSegmentSumReference(xt.dataSync(), ids, numSegments, expected);
          expect(out.shape).toEqual([numSegments, width]);
          expect(out.dtype).toBe(dtype);
          expect(out.dataSync()).toEqual(expected);
          dispose([xt, it, out]);
        },
      ),
    );
  });

  it('treats trailing dimensions as the row', async () => {
    await initCompute({ backend });
    const x = ops.reshape(ops.range(0, 12), [3, 2, 2]);
    const out = ops.unsortedSegmentSum(x, ops.tensor1d([1, 1, 0], 'int32'), 2);
    expect(out.shape).toEqual([2, 2, 2]);
    expect(Array.from(out.dataSync())).toEqual([8, 9, 10, 11, 4, 6, 8, 10]);
    dispose([x, out]);
  });
});
