/**
 * The fused AdamW kernel against `adamWStepReference` (itself checked against torch.optim.AdamW
 * in adamW.test.ts), bit for bit, over several steps with decay on and off, on cpu and wasm; and
 * the AdamW optimizer with the kernel against the optimizer composed of engine operations.
 */
import { Random } from '@llmkit/numeric';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { useMode } from '../../test/fusedTestKit.js';
import { AdamW, adamWStepReference } from '../adamW.js';
import { tf } from '../internal/engine.js';
import { hasKernel } from '../internal/kernels.js';
import { leakCheck, scope } from '../memory.js';
import * as ops from '../ops.js';
import { ADAMW, fusedAdamWUpdate } from './adamW.js';

describe.each(['cpu', 'wasm'] as const)('fused AdamW on %s', (backend) => {
  it('equals the typed-array reference exactly, step after step (property)', async () => {
    await useMode(backend, 'fast');
    expect(hasKernel(ADAMW)).toBe(true);
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.double({ min: 0, max: 0.1, noNaN: true }),
        fc.constantFrom(0, 0.01, 0.1),
        fc.nat(),
        (n, learningRate, weightDecay, seed) => {
          const rng = new Random(seed);
          const hp = { learningRate, beta1: 0.9, beta2: 0.95, epsilon: 1e-8, weightDecay };
          const p = Float32Array.from({ length: n }, () => rng.normal(0, 1));
          const m = new Float32Array(n);
          const v = new Float32Array(n);
          // Copies: the cpu backend adopts a typed array given to ops.tensor without copying it.
          const vars = [p, m, v].map((a) => ops.variable(ops.tensor(Float32Array.from(a))));
          for (let step = 1; step <= 3; step++) {
            const g = Float32Array.from({ length: n }, () => rng.normal(0, 1));
            adamWStepReference(p, g, m, v, step, hp);
            scope(() => {
              fusedAdamWUpdate(vars[0]!, ops.tensor(Float32Array.from(g)), vars[1]!, vars[2]!, {
                ...hp,
                step,
              });
            });
          }
          expect(Array.from(vars[0]!.dataSync())).toEqual(Array.from(p));
          expect(Array.from(vars[1]!.dataSync())).toEqual(Array.from(m));
          expect(Array.from(vars[2]!.dataSync())).toEqual(Array.from(v));
          tf.dispose(vars);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('makes AdamW agree with its engine composition and leak nothing', async () => {
    const run = async (mode: 'fast' | 'engine'): Promise<Float32Array> => {
      await useMode(backend, mode);
      const rng = new Random(4);
      const w = ops.variable(
        ops.tensor(
          Float32Array.from({ length: 24 }, () => rng.normal(0, 1)),
          [4, 6],
        ),
      );
      const optimizer = new AdamW({ w }, { learningRate: 0.01, weightDecay: 0.1 });
      for (let i = 0; i < 3; i++) {
        const g = ops.tensor(
          Float32Array.from({ length: 24 }, () => rng.normal(0, 1)),
          [4, 6],
        );
        leakCheck(() => optimizer.step({ w: g }), {
          allowTensors: i === 0 ? 2 : 0,
          allowBytes: i === 0 ? 192 : 0,
        });
        g.dispose();
      }
      const out = w.dataSync() as Float32Array;
      optimizer.dispose();
      w.dispose();
      return out;
    };
    const fused = await run('fast');
    const composed = await run('engine');
    for (let i = 0; i < fused.length; i++) expect(fused[i]).toBeCloseTo(composed[i]!, 6);
  });
});

describe('fusedAdamWUpdate', () => {
  it('declines (returns false) where the kernel is not registered', async () => {
    await useMode('cpu', 'engine');
    const v = ops.variable(ops.zeros([2]));
    const hp = { learningRate: 1, beta1: 0.9, beta2: 0.99, epsilon: 1e-8, weightDecay: 0, step: 1 };
    expect(fusedAdamWUpdate(v, ops.ones([2]), v, v, hp)).toBe(false);
    v.dispose();
  });
});
