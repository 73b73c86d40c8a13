import { beforeAll, describe, expect, it } from 'vitest';
import { initCompute } from './compute.js';
import { DynamicLossScaler } from './lossScaler.js';
import { dispose, leakCheck } from './memory.js';
import * as ops from './ops.js';

beforeAll(async () => {
  await initCompute({ backend: 'cpu' });
});

describe('DynamicLossScaler', () => {
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

  it('scales losses, unscales gradients and detects overflow', () => {
    const scaler = new DynamicLossScaler({ initialScale: 8 });
    const loss = ops.scalar(0.5);
    const scaled = scaler.scaleLoss(loss);
    expect(scaled.dataSync()[0]).toBe(4);
    const good = { w: ops.tensor([8, -16]), b: ops.tensor([4]) };
    const result = leakCheck(() => scaler.unscale(good));
    expect(result.finite).toBe(true);
    expect(Array.from(result.gradients.w.dataSync())).toEqual([1, -2]);
    const bad = { w: ops.tensor([1, Number.POSITIVE_INFINITY]), b: ops.tensor([Number.NaN]) };
    const overflow = scaler.unscale(bad);
    expect(overflow.finite).toBe(false);
    dispose([loss, scaled, good, result.gradients, bad, overflow.gradients]);
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
