import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { golden } from '../test/goldenOptimizers.js';
import { constantSchedule, warmupCosineSchedule, warmupStableDecaySchedule } from './schedules.js';

describe('warmupCosineSchedule', () => {
  const g = golden.schedules.warmupCosine;

  it('equals torch LinearLR warmup + CosineAnnealingLR up to totalSteps, then holds the floor', () => {
    const lr = warmupCosineSchedule({
      peakLearningRate: g.peak,
      warmupSteps: g.warmupSteps,
      totalSteps: g.totalSteps,
      minLearningRate: g.min,
    });
    for (const [step, expected] of g.values.entries()) {
      expect(lr(step)).toBeCloseTo(step <= g.totalSteps ? expected : g.min, 9);
    }
  });

  it('is monotone: non-decreasing in warmup, non-increasing after', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 50 }),
        fc.integer({ min: 0, max: 200 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (warmup, extra, floorRatio) => {
          const lr = warmupCosineSchedule({
            peakLearningRate: 1,
            warmupSteps: warmup,
            totalSteps: warmup + extra,
            minLearningRate: floorRatio,
          });
          for (let s = 1; s <= warmup + extra + 5; s++) {
            if (s <= warmup) expect(lr(s)).toBeGreaterThanOrEqual(lr(s - 1));
            else expect(lr(s)).toBeLessThanOrEqual(lr(s - 1) + 1e-15);
            expect(lr(s)).toBeLessThanOrEqual(1);
          }
        },
      ),
    );
  });
});

describe('warmupStableDecaySchedule', () => {
  const g = golden.schedules.warmupStableLinear;

  it('with linear ramps equals torch LinearLR → ConstantLR → LinearLR', () => {
    const lr = warmupStableDecaySchedule({
      peakLearningRate: g.peak,
      warmupSteps: g.warmupSteps,
      stableSteps: g.stableSteps,
      decaySteps: g.decaySteps,
      minLearningRate: g.min,
      decayShape: 'linear',
    });
    for (const [step, expected] of g.values.entries()) expect(lr(step)).toBeCloseTo(expected, 9);
  });

  it('follows Hugging Face get_wsd_schedule for cosine warmup and 1-sqrt decay', () => {
    // factor·(1 − r) + r with r = min/peak, from transformers' _get_wsd_scheduler_lambda.
    const lr = warmupStableDecaySchedule({
      peakLearningRate: 2,
      warmupSteps: 4,
      stableSteps: 3,
      decaySteps: 4,
      minLearningRate: 0.5,
      warmupShape: 'cosine',
    });
    const r = 0.25;
    const at = (factor: number): number => 2 * (factor * (1 - r) + r);
    expect(lr(1)).toBeCloseTo(at(0.5 * (1 - Math.cos(Math.PI / 4))), 12);
    expect(lr(4)).toBe(2);
    expect(lr(6)).toBe(2);
    expect(lr(7)).toBeCloseTo(at(1), 12);
    expect(lr(8)).toBeCloseTo(at(1 - Math.sqrt(0.25)), 12);
    expect(lr(10)).toBeCloseTo(at(1 - Math.sqrt(0.75)), 12);
    expect(lr(11)).toBe(0.5);
    expect(lr(1000)).toBe(0.5);
  });

  it('rejects unknown shapes and a floor above the peak', () => {
    const base = { peakLearningRate: 1, warmupSteps: 1, stableSteps: 1, decaySteps: 1 };
    expect(() => warmupStableDecaySchedule({ ...base, decayShape: 'exp' as 'linear' })).toThrow(
      /warmupStableDecaySchedule\(options\.decayShape\): unknown shape "exp"; expected one of 'linear', 'cosine', '1-sqrt'/,
    );
    expect(() => warmupStableDecaySchedule({ ...base, minLearningRate: 2 })).toThrow(
      /minLearningRate\): expected at most peakLearningRate \(1\), received 2/,
    );
  });
});

describe('constantSchedule', () => {
  it('is constant and refuses negative rates', () => {
    expect(constantSchedule(3e-4)(12345)).toBe(3e-4);
    expect(() => constantSchedule(-1)).toThrow(/constantSchedule\(learningRate\)/);
  });
});
