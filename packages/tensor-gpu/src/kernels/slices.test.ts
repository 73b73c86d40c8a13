/**
 * Slice and split on wasm with llmkit's block-copy kernels against the engine's own kernels, on
 * random shapes, axes and dtypes; concat (the engine's) inverts split.
 */
import { Random } from '@llmkit/numeric';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { useMode } from '../../test/fusedTestKit.js';
import { scope } from '../memory.js';
import * as ops from '../ops.js';

const shapeArb = fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 4 });

async function both<T>(f: () => T): Promise<[T, T]> {
  await useMode('wasm', 'engine');
  const engine = f();
  await useMode('wasm', 'fast');
  return [engine, f()];
}

function values(shape: number[], seed: number): number[] {
  const rng = new Random(seed);
  return Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.int(1000) - 500);
}

describe('block-copy kernels on wasm', () => {
  it('slice equals the engine’s slice (property)', async () => {
    const cases = fc.sample(
      fc.tuple(shapeArb, fc.nat(), fc.nat(), fc.constantFrom('float32' as const, 'int32' as const)),
      { numRuns: 40, seed: 7 },
    );
    const run = () =>
      cases.map(([shape, a, b, dtype]) =>
        scope(() => {
          const begin = shape.map((d, i) => (a >> i) % d);
          const size = shape.map((d, i) =>
            i === shape.length - 1 && b % 2 === 0 ? -1 : 1 + ((b >> i) % (d - begin[i]!)),
          );
          const out = ops.slice(ops.tensor(values(shape, a + b), shape, dtype), begin, size);
          return [out.shape, Array.from(out.dataSync())];
        }),
      );
    const [engine, fast] = await both(run);
    expect(fast).toEqual(engine);
  });

  it('split and concat equal the engine’s and invert each other (property)', async () => {
    const cases = fc.sample(fc.tuple(shapeArb, fc.nat(), fc.nat()), { numRuns: 40, seed: 11 });
    const run = () =>
      cases.map(([shape, axisSeed, seed]) =>
        scope(() => {
          const axis = axisSeed % shape.length;
          const x = ops.tensor(values(shape, seed), shape);
          const first = 1 + (seed % shape[axis]!);
          const sizes = first === shape[axis] ? [first] : [first, -1];
          const parts = ops.split(x, sizes, axis);
          const back = ops.concat(parts, axis - shape.length);
          expect(Array.from(back.dataSync())).toEqual(Array.from(x.dataSync()));
          return parts.map((p) => [p.shape, Array.from(p.dataSync())]);
        }),
      );
    const [engine, fast] = await both(run);
    expect(fast).toEqual(engine);
  });
});
