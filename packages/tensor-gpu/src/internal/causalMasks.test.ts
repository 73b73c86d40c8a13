/**
 * The causal-mask cache: the mask's values for T = S and T < S, one tensor per shape and backend
 * reused across calls, the least recently used shape dropped beyond four, and the memory report
 * and leak check leaving the cache out.
 */
import { describe, expect, it } from 'vitest';
import { causalSoftmax } from '../causalSoftmax.js';
import { initCompute } from '../compute.js';
import { dispose, leakCheck, memoryReport, scope } from '../memory.js';
import * as ops from '../ops.js';
import { causalMask } from './causalMasks.js';
import { tf } from './engine.js';

describe('causalMask', () => {
  it('is 0 where query i sees key j ≤ i + S − T and −∞ elsewhere', async () => {
    await initCompute({ backend: 'cpu' });
    const expected = (t: number, s: number) =>
      Array.from({ length: t * s }, (_, e) =>
        e % s <= Math.floor(e / s) + s - t ? 0 : Number.NEGATIVE_INFINITY,
      );
    for (const [t, s] of [
      [1, 1],
      [3, 3],
      [2, 5],
      [1, 4],
    ] as const) {
      const mask = causalMask(t, s);
      expect(mask.shape).toEqual([t, s]);
      expect(Array.from(await mask.data())).toEqual(expected(t, s));
    }
  });

  it('reuses one tensor per shape and drops the least recently used beyond four', async () => {
    await initCompute({ backend: 'cpu' });
    const first = causalMask(7, 7);
    expect(causalMask(7, 7)).toBe(first);
    const [eight, nine, ten] = [8, 9, 10].map((t) => causalMask(t, t));
    expect(causalMask(7, 7)).toBe(first); // used again: now the most recent
    causalMask(11, 11); // drops 8×8, the least recently used
    expect(eight!.isDisposed).toBe(true);
    expect([first, nine!, ten!].map((mask) => mask.isDisposed)).toEqual([false, false, false]);
    expect(causalMask(8, 8)).not.toBe(eight);
  });

  it('is counted apart in the memory report, so leak checks pass on a first use', async () => {
    await initCompute({ backend: 'cpu', kernels: 'engine' }); // causalSoftmax composes
    const before = memoryReport();
    const scores = ops.randomNormal([2, 13, 13], 0, 1, 'float32', 1);
    const probabilities = leakCheck(() => scope(() => causalSoftmax(scores)));
    const after = memoryReport();
    expect(after.tensors).toBe(before.tensors + 2);
    expect(after.bytes).toBe(before.bytes + 2 * 4 * 2 * 13 * 13);
    // The engine's own counts hold the cache too; the report leaves it out.
    const engine = tf.memory();
    expect(after.cached.tensors).toBeGreaterThanOrEqual(1);
    expect(engine.numTensors - after.tensors).toBe(after.cached.tensors);
    expect(engine.numBytes - after.bytes).toBe(after.cached.bytes);
    expect(after.cached.bytes).toBeGreaterThanOrEqual(4 * 13 * 13);
    dispose([scores, probabilities]);
  });
});
