import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { webGpuUnavailable } from '../test/fusedTestKit.js';
import { initCompute } from './compute.js';
import { DynamicLossScaler } from './lossScaler.js';
import { dispose, leakCheck } from './memory.js';
import * as ops from './ops.js';
import type { Tensor } from './tensor.js';

/** Scales a loss, unscales good and overflowing gradients, reading only asynchronously. */
async function scaleAndUnscale(make: (values: number[]) => Tensor): Promise<void> {
  const scaler = new DynamicLossScaler({ initialScale: 8 });
  const loss = make([0.5]);
  const scaled = scaler.scaleLoss(loss);
  expect(Array.from(await scaled.data())).toEqual([4]);
  const good = { w: make([8, -16]), b: make([4]) };
  const result = await leakCheck(() => scaler.unscale(good));
  expect(result.finite).toBe(true);
  expect(Array.from(await result.gradients.w.data())).toEqual([1, -2]);
  expect(Array.from(await result.gradients.b.data())).toEqual([0.5]);
  for (const bad of [
    { w: make([1, Number.POSITIVE_INFINITY]), b: make([2]) },
    { w: make([1, 2]), b: make([Number.NaN]) },
    { w: make([Number.NEGATIVE_INFINITY, 2]), b: make([1]) },
  ]) {
    const overflow = await leakCheck(() => scaler.unscale(bad));
    expect(overflow.finite).toBe(false);
    dispose([bad, overflow.gradients]);
  }
  const none = await scaler.unscale({});
  expect(none).toEqual({ gradients: {}, finite: true });
  dispose([loss, scaled, good, result.gradients]);
}

describe.each(['cpu', 'wasm'] as const)('DynamicLossScaler on %s', (backend) => {
  beforeAll(async () => {
    await initCompute({ backend });
  });

  it('scales losses, unscales gradients and detects overflow', async () => {
    await scaleAndUnscale((values) => ops.tensor1d(values));
  });
});

describe('DynamicLossScaler policy', () => {
  it("follows GradScaler's policy: back off on overflow, grow after an interval of clean steps", () => {
    const scaler = new DynamicLossScaler({ initialScale: 1024, growthInterval: 3 });
    const trace: number[] = [];
    for (const finite of [true, true, true, true, false, true, true, true, false, false]) {
      scaler.update(finite);
      trace.push(scaler.scale);
    }
    expect(trace).toEqual([1024, 1024, 2048, 2048, 1024, 1024, 1024, 2048, 1024, 512]);
    expect(scaler.state()).toEqual({ scale: 512, growthTracker: 0 });
  });

  it('matches a direct statement of the policy on any sequence of steps', () => {
    fc.assert(
      fc.property(
        fc.array(fc.boolean(), { maxLength: 60 }),
        fc.integer({ min: 1, max: 5 }),
        (steps, growthInterval) => {
          const scaler = new DynamicLossScaler({ initialScale: 2 ** 10, growthInterval });
          let scale = 2 ** 10;
          let clean = 0;
          for (const finite of steps) {
            scaler.update(finite);
            clean = finite ? clean + 1 : 0;
            if (!finite) scale /= 2;
            else if (clean % growthInterval === 0) scale *= 2;
            expect(scaler.scale).toBe(scale);
            expect(scaler.state().growthTracker).toBe(clean % growthInterval);
          }
        },
      ),
    );
  });

  it('saves and restores its state, refusing impossible ones', () => {
    const scaler = new DynamicLossScaler({ growthInterval: 10 });
    scaler.loadState({ scale: 128, growthTracker: 9 });
    scaler.update(true);
    expect(scaler.scale).toBe(256);
    expect(() => scaler.loadState({ scale: 0, growthTracker: 0 })).toThrow(/state\.scale/);
    expect(() => scaler.loadState({ scale: 1, growthTracker: 10 })).toThrow(/state\.growthTracker/);
    expect(() => new DynamicLossScaler({ backoffFactor: 2 })).toThrow(/backoffFactor < 1/);
  });
});

const noWebGpu = await webGpuUnavailable();

describe.skipIf(noWebGpu !== '')(
  `DynamicLossScaler on webgpu${noWebGpu ? ` — skipped: ${noWebGpu}` : ''}`,
  () => {
    beforeAll(async () => {
      await initCompute({ backend: 'webgpu' });
    });

    it('scales losses, unscales gradients and detects overflow', async () => {
      await scaleAndUnscale((values) => ops.tensor1d(values));
    }, 60_000);

    it('finds one overflow among gradients that live on the device', async () => {
      // 3000 elements: above the size under which the WebGPU backend computes on the CPU.
      const scaler = new DynamicLossScaler({ initialScale: 4 });
      const values = Float32Array.from({ length: 3000 }, (_, i) => i - 1500);
      const clean = ops.mul(ops.tensor1d(values), 1);
      const spoiled = ops.div(clean, ops.tensor1d(values.map((v) => (v === 0 ? 0 : 1))));
      const good = await scaler.unscale({ w: clean });
      expect(good.finite).toBe(true);
      const w = await good.gradients.w.data();
      values.forEach((v, i) => {
        expect(w[i]).toBe(v / 4);
      });
      const bad = await scaler.unscale({ w: clean, b: spoiled });
      expect(bad.finite).toBe(false);
      scaler.update(bad.finite);
      expect(scaler.scale).toBe(2);
      dispose([clean, spoiled, good.gradients, bad.gradients]);
    }, 60_000);
  },
);
