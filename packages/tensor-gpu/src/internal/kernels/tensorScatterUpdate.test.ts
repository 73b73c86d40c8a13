import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { initCompute } from '../../compute.js';
import { dispose } from '../../memory.js';
import * as ops from '../../ops.js';
import { tensorScatterUpdateReference } from './tensorScatterUpdate.js';

describe('tensorScatterUpdateReference', () => {
  it('overwrites addressed rows and rejects indices outside the shape', () => {
    const out = Float32Array.from([1, 2, 3, 4, 5, 6]);
    tensorScatterUpdateReference(out, [3, 2], [2, 0], 1, [9, 8, 7, 6]);
    expect(Array.from(out)).toEqual([7, 6, 3, 4, 9, 8]);
    expect(() => tensorScatterUpdateReference(out, [3, 2], [3], 1, [0, 0])).toThrow(RangeError);
  });
});

describe.each(['cpu', 'wasm'] as const)('the TensorScatterUpdate kernel on %s', (backend) => {
  it('equals the reference and leaves its input unchanged', async () => {
    await initCompute({ backend });
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 0, max: 1 }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        (rows, cols, pointUpdates, seed) => {
          const values = Array.from({ length: rows * cols }, (_, i) => ((i * 7 + seed) % 13) - 6);
          const x = ops.tensor2d(values, [rows, cols]);
          // Distinct addresses: either whole rows (sliceRank 1) or single entries (sliceRank 2).
          const sliceRank = pointUpdates + 1;
          const targets = Array.from({ length: rows }, (_, r) => r).filter(
            (r) => (r + seed) % 2 === 0,
          );
          const indices = targets.flatMap((r) => (sliceRank === 1 ? [r] : [r, (r + seed) % cols]));
          const sliceSize = sliceRank === 1 ? cols : 1;
          const updates = Array.from({ length: targets.length * sliceSize }, (_, i) => 100 + i);
          const it = ops.tensor2d(indices, [targets.length, sliceRank], 'int32');
          const ut = ops.tensor1d(updates);
          const shapedUpdates = sliceRank === 1 ? ops.reshape(ut, [targets.length, cols]) : ut;
          const y = ops.tensorScatterUpdate(x, it, shapedUpdates);
          const expected = Float32Array.from(values);
          tensorScatterUpdateReference(expected, [rows, cols], indices, sliceRank, updates);
          expect(y.dataSync()).toEqual(expected);
          expect(Array.from(x.dataSync())).toEqual(values);
          dispose([x, it, ut, shapedUpdates, y]);
        },
      ),
      { numRuns: 50 },
    );
  });
});
