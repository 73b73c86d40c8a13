import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { activationMemory } from './activationMemory.js';
import { kvCacheBytes } from './kvCache.js';
import { trainingMemory } from './trainingMemory.js';

describe('trainingMemory', () => {
  it('reproduces ZeRO’s Figure 1: 7.5B parameters on 64 GPUs', () => {
    // Rajbhandari et al. (2020), Figure 1 with K = 12: 120 GB, 31.4 GB, 16.6 GB, 1.9 GB.
    const gb = (stage: 0 | 1 | 2 | 3) =>
      trainingMemory({ params: 7.5e9, zeroStage: stage, dataParallel: 64 }).total / 1e9;
    expect(gb(0)).toBeCloseTo(120, 10);
    expect(gb(1)).toBeCloseTo(31.4, 1);
    expect(gb(2)).toBeCloseTo(16.6, 1);
    expect(gb(3)).toBeCloseTo(1.9, 1);
    expect(trainingMemory({ params: 7.5e9 }).bytesPerParam).toBe(16);
  });

  it('never grows with a higher stage or more ranks', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1e6, max: 1e12, noNaN: true }),
        fc.integer({ min: 1, max: 4096 }),
        (params, nd) => {
          const totals = ([0, 1, 2, 3] as const).map(
            (zeroStage) => trainingMemory({ params, zeroStage, dataParallel: nd }).total,
          );
          for (let k = 1; k < 4; k++)
            expect(totals[k]).toBeLessThanOrEqual(totals[k - 1] as number);
          expect(trainingMemory({ params, zeroStage: 3, dataParallel: nd }).total).toBeCloseTo(
            (16 * params) / nd,
            0,
          );
        },
      ),
    );
  });

  it('names a bad stage', () => {
    expect(() => trainingMemory({ params: 1e9, zeroStage: 4 as 3 })).toThrow(
      /trainingMemory\(zeroStage\): expected 0, 1, 2 or 3/,
    );
  });
});

describe('activationMemory', () => {
  // GPT-3 175B: s = 2048, h = 12,288, a = 96, 96 layers (Korthikanti et al. 2022, Table 3).
  const gpt3 = { layers: 96, dModel: 12288, heads: 96, vocabSize: 51200 };
  const sbh = 2048 * 12288;

  it('follows Table 2 of Korthikanti et al. (2022)', () => {
    const none = activationMemory(gpt3, { sequenceLength: 2048 });
    // sbh(34 + 5as/h), where 5as/h = 80 for GPT-3: attention dominates without recomputation.
    expect(none.perLayer).toBe(sbh * (34 + 80));
    expect(none.total).toBe(96 * none.perLayer);
    expect(
      activationMemory(gpt3, { sequenceLength: 2048, tensorParallel: 8, sequenceParallel: false })
        .perLayer,
    ).toBe(sbh * (10 + 24 / 8 + 80 / 8));
    expect(activationMemory(gpt3, { sequenceLength: 2048, tensorParallel: 8 }).perLayer).toBe(
      sbh * (34 / 8 + 80 / 8),
    );
    expect(
      activationMemory(gpt3, { sequenceLength: 2048, tensorParallel: 8, recompute: 'selective' })
        .perLayer,
    ).toBe((sbh * 34) / 8);
    expect(
      activationMemory(gpt3, { sequenceLength: 2048, microBatch: 4, recompute: 'full' }).perLayer,
    ).toBe(2 * 4 * sbh);
  });

  it('shrinks with recomputation and parallelism', () => {
    const at = (options: Parameters<typeof activationMemory>[1]) =>
      activationMemory(gpt3, options).total;
    expect(at({ sequenceLength: 2048, recompute: 'full' })).toBeLessThan(
      at({ sequenceLength: 2048, recompute: 'selective' }),
    );
    expect(at({ sequenceLength: 2048, recompute: 'selective' })).toBeLessThan(
      at({ sequenceLength: 2048 }),
    );
    expect(at({ sequenceLength: 2048, tensorParallel: 8 })).toBeLessThan(
      at({ sequenceLength: 2048, tensorParallel: 8, sequenceParallel: false }),
    );
    expect(() => at({ sequenceLength: 2048, tensorParallel: 5 })).toThrow(
      /expected a divisor of the 96 heads, received 5/,
    );
  });
});

describe('kvCacheBytes', () => {
  it('is 2·L·H_kv·Q bytes per token per value byte: Llama 2 70B holds 320 KiB per token', () => {
    // Touvron et al. 2023, Llama 2 70B: 80 layers, 64 heads of 128, 8 KV heads (GQA).
    const llama2 = { layers: 80, dModel: 8192, heads: 64, kvHeads: 8, vocabSize: 32000 };
    expect(kvCacheBytes(llama2, { sequenceLength: 1 })).toBe(327680);
    expect(kvCacheBytes(llama2, { sequenceLength: 4096 })).toBe(1.25 * 2 ** 30);
    // Without GQA it would be 8 times larger; fp8 halves it.
    expect(kvCacheBytes({ ...llama2, kvHeads: 64 }, { sequenceLength: 4096 })).toBe(10 * 2 ** 30);
    expect(kvCacheBytes(llama2, { sequenceLength: 4096, batch: 8, bytesPerValue: 1 })).toBe(
      5 * 2 ** 30,
    );
  });
});
