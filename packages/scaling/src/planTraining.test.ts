import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { accelerator, hardwareCatalog } from './hardware.js';
import { planTraining } from './planTraining.js';

const llama3 = { params: 405e9, tokens: 15.6e12, gpu: 'h100', gpus: 16000 } as const;

describe('planTraining', () => {
  it('reproduces the lecture example: Llama 3 405B, 16,000 H100 at 400 TFLOP/s', () => {
    const plan = planTraining({ ...llama3, tflopsPerGpu: 400 });
    expect(plan.flops).toBe(6 * 405e9 * 15.6e12);
    expect(Math.abs(plan.flops / 3.8e25 - 1)).toBeLessThan(0.01); // ≈ 3.8e25
    expect(plan.days).toBeCloseTo(68.6, 1); // ≈ 69 days
    expect(plan.gpuHours / 26.3e6).toBeCloseTo(1, 2); // ≈ 26M GPU hours
    expect(plan.assumptions.mfu).toBeCloseTo(400 / 989.4, 10);
    expect(plan.assumptions.flopsFormula).toBe('6·N·D');
    expect(plan.co2Tonnes).toBeUndefined();
    expect(plan.cost).toBeUndefined();
  });

  it('shows how Meta’s 30.84M GPU hours and 8,930 t CO₂eq follow from its assumptions', () => {
    // Llama 3.1 model card: 30.84M H100-80GB hours for 405B, 700 W TDP, 8,930 t CO₂eq
    // location-based. 30.84M hours is the 3.79e25 FLOPs at an average 34.5% MFU (the paper
    // reports 38–43% while running; restarts and slower phases bring the average down).
    const plan = planTraining({ ...llama3, mfu: 0.345, watts: 700, kgCo2PerKWh: 0.41 });
    expect(plan.gpuHours / 30.84e6).toBeCloseTo(1, 2);
    // 30.84M h × 0.7 kW = 21.59 GWh; × 0.41 kg/kWh ≈ 8,850 t, within 1% of 8,930 t.
    expect(Math.abs((plan.co2Tonnes as number) / 8930 - 1)).toBeLessThan(0.01);
    // Exactly: 8,930 t / 21.59 GWh = 0.4137 kg/kWh is the intensity Meta used.
    const exact = planTraining({
      ...llama3,
      flops: 30.84e6 * 3600 * 0.345 * 989.4e12,
      mfu: 0.345,
      watts: 700,
      kgCo2PerKWh: (8930 * 1000) / (30.84e6 * 0.7),
    });
    expect(exact.gpuHours).toBeCloseTo(30.84e6, -1);
    expect(exact.energyKWh).toBeCloseTo(30.84e6 * 0.7, 0);
    expect(exact.co2Tonnes).toBeCloseTo(8930, 6);
  });

  it('prices GPU hours, adds PUE to energy and returns every assumption', () => {
    const plan = planTraining({
      params: 7e9,
      tokens: 2e12,
      gpu: 'a100',
      gpus: 512,
      mfu: 0.5,
      pue: 1.2,
      kgCo2PerKWh: 0.3,
      pricePerGpuHour: 2,
    });
    expect(plan.cost).toBeCloseTo(plan.gpuHours * 2, 6);
    expect(plan.energyKWh).toBeCloseTo((plan.gpuHours * 400 * 1.2) / 1000, 6);
    expect(plan.assumptions).toMatchObject({
      gpu: 'NVIDIA A100 SXM4 80GB',
      gpus: 512,
      precision: 'bf16',
      peakFlopsPerGpu: 312e12,
      watts: 400,
      wattsSource: 'TDP',
      pue: 1.2,
      kgCo2PerKWh: 0.3,
      pricePerGpuHour: 2,
    });
    expect(plan.assumptions.gpuSource).toMatch(/datasheet/);
  });

  it('scales linearly in tokens and inversely in GPUs', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1e8, max: 1e12, noNaN: true }),
        fc.double({ min: 1e9, max: 1e14, noNaN: true }),
        fc.integer({ min: 2, max: 16 }),
        (params, tokens, k) => {
          const base = planTraining({ params, tokens, gpu: 'h100', gpus: 64, mfu: 0.4 });
          const more = planTraining({
            params,
            tokens: k * tokens,
            gpu: 'h100',
            gpus: 64,
            mfu: 0.4,
          });
          expect(more.gpuHours / base.gpuHours).toBeCloseTo(k, 9);
          expect(more.energyKWh / base.energyKWh).toBeCloseTo(k, 9);
          const wider = planTraining({ params, tokens, gpu: 'h100', gpus: 64 * k, mfu: 0.4 });
          expect(base.days / wider.days).toBeCloseTo(k, 9);
          expect(wider.gpuHours / base.gpuHours).toBeCloseTo(1, 9);
        },
      ),
    );
  });

  it('rejects mixed-up units with the fix', () => {
    expect(() => planTraining({ ...llama3, tokens: 15.6, tflopsPerGpu: 400 })).toThrow(
      /planTraining\(tokens\): expected a raw count of tokens \(15\.6e12 for 15\.6T tokens\), received 15\.6/,
    );
    expect(() => planTraining({ ...llama3, mfu: 40 })).toThrow(
      /planTraining\(mfu\): expected a fraction in \(0, 1\], received 40 — for 40% pass 0\.4/,
    );
    expect(() => planTraining({ ...llama3, tflopsPerGpu: 4e14 })).toThrow(
      /exceeds the NVIDIA H100 SXM5 80GB's peak of 989\.4 TFLOP\/s; the unit is TFLOP\/s/,
    );
    expect(() => planTraining({ ...llama3, mfu: 0.4, tflopsPerGpu: 400 })).toThrow(
      /give exactly one/,
    );
    expect(() => planTraining({ ...llama3, mfu: 0.4, kgCo2PerKWh: 410 })).toThrow(
      /g\/kWh must be divided by 1000/,
    );
    expect(() => planTraining({ ...llama3, gpu: 'a100', mfu: 0.4, precision: 'fp8' })).toThrow(
      /has no fp8 peak/,
    );
    expect(() => planTraining({ ...llama3, gpu: 'v100' as 'a100', mfu: 0.4 })).toThrow(
      /unknown accelerator "v100"; the catalog has a100, h100, h200, b200, mi300x/,
    );
  });

  it('warns when the training state cannot fit in the cluster', () => {
    const plan = planTraining({ params: 405e9, tokens: 15.6e12, gpu: 'h100', gpus: 8, mfu: 0.4 });
    expect(plan.warnings[0]).toMatch(
      /the training state \(16 bytes per parameter: 6480\.0 TB\)|exceeds the memory of all 8 GPUs/,
    );
  });
});

describe('hardware catalog', () => {
  it('lists every accelerator with dense peaks, memory, power and a source', () => {
    for (const gpu of Object.values(hardwareCatalog)) {
      expect(gpu.peakFlops.bf16).toBeGreaterThan(1e14);
      expect(gpu.memoryBytes).toBeGreaterThanOrEqual(80e9);
      expect(gpu.tdpWatts).toBeGreaterThanOrEqual(400);
      expect(gpu.source.length).toBeGreaterThan(20);
      if (gpu.peakFlops.fp8 !== undefined)
        expect(gpu.peakFlops.fp8).toBeCloseTo(2 * gpu.peakFlops.bf16, -12);
    }
    expect(hardwareCatalog.h100.peakFlops.bf16).toBe(989.4e12);
    expect(hardwareCatalog.a100.peakFlops.fp8).toBeUndefined();
  });

  it('accepts a user entry and catches TFLOP/s or GB given for FLOP/s or bytes', () => {
    const tpu = accelerator({
      name: 'TPU v5p',
      peakFlops: { bf16: 459e12 },
      memoryBytes: 95e9,
      tdpWatts: 450,
      source: 'Google Cloud TPU v5p documentation',
    });
    expect(
      planTraining({ params: 1e9, tokens: 2e10, gpu: tpu, gpus: 8, mfu: 0.5 }).assumptions.gpu,
    ).toBe('TPU v5p');
    expect(() => accelerator({ ...tpu, peakFlops: { bf16: 459 } })).toThrow(
      /it looks like TFLOP\/s/,
    );
    expect(() => accelerator({ ...tpu, memoryBytes: 95 })).toThrow(/it looks like GB/);
  });
});
