/**
 * What a training run costs in time, GPU hours, energy, emissions and money, with every
 * assumption returned beside the numbers:
 *
 *   FLOPs C = 6·N·D (or given) · seconds = C / (GPUs · achieved FLOP/s per GPU)
 *   GPU hours = GPUs · seconds / 3600 · energy = GPU hours · watts · PUE
 *   CO₂ = energy · grid intensity · cost = GPU hours · price
 *
 * Achieved FLOP/s per GPU is given directly (`tflopsPerGpu`) or as MFU × the GPU's peak.
 * The lecture example: Llama 3 405B on 15.6T tokens is 3.8e25 FLOPs; 16,000 H100 at
 * 400 TFLOP/s take ≈ 69 days, ≈ 26M GPU hours. Meta's model card reports 30.84M GPU hours at a
 * 700 W TDP and 8,930 t CO₂eq location-based: 30.84M h · 0.7 kW = 21.6 GWh, and
 * 8,930 t / 21.6 GWh = 0.414 kg/kWh, the grid intensity they assumed.
 */
import { ScalingError } from './errors.js';
import {
  type Accelerator,
  type AcceleratorId,
  type Precision,
  resolveAccelerator,
} from './hardware.js';
import { check } from './internal/check.js';
import { checkCount } from './internal/counts.js';

/** Input of {@link planTraining}. Give exactly one of `mfu` and `tflopsPerGpu`. @public */
export interface PlanTrainingInput {
  /** Parameters N (raw count: 405e9). */
  readonly params: number;
  /** Training tokens D (raw count: 15.6e12). */
  readonly tokens: number;
  /** Total FLOPs when not 6·N·D (e.g. `transformerFlops(...).training × tokens`). */
  readonly flops?: number;
  /** A catalog id ('h100', …) or your own {@link Accelerator}. */
  readonly gpu: AcceleratorId | Accelerator;
  /** Number of GPUs. */
  readonly gpus: number;
  /** Format whose peak `mfu` refers to. @defaultValue 'bf16' */
  readonly precision?: Precision;
  /** Model FLOPs utilisation, a fraction in (0, 1] (0.4 for 40%). */
  readonly mfu?: number;
  /** Achieved model TFLOP/s per GPU (400 for 400 TFLOP/s). */
  readonly tflopsPerGpu?: number;
  /** Average draw per GPU in watts. @defaultValue the GPU's TDP */
  readonly watts?: number;
  /** Power usage effectiveness of the data centre (1 = GPUs only). @defaultValue 1 */
  readonly pue?: number;
  /** Grid carbon intensity, kg CO₂eq per kWh; without it `co2Tonnes` is undefined. */
  readonly kgCo2PerKWh?: number;
  /** Price per GPU hour in your currency; without it `cost` is undefined. */
  readonly pricePerGpuHour?: number;
}

/** Every number the plan rests on. @public */
export interface PlanAssumptions {
  readonly flopsFormula: '6·N·D' | 'given';
  readonly gpu: string;
  readonly gpuSource: string;
  readonly gpus: number;
  readonly precision: Precision;
  readonly peakFlopsPerGpu: number;
  readonly achievedFlopsPerGpu: number;
  readonly mfu: number;
  readonly watts: number;
  readonly wattsSource: 'TDP' | 'given';
  readonly pue: number;
  readonly kgCo2PerKWh?: number;
  readonly pricePerGpuHour?: number;
}

/** The outcome of {@link planTraining}. @public */
export interface TrainingPlan {
  readonly flops: number;
  readonly seconds: number;
  readonly days: number;
  readonly gpuHours: number;
  readonly energyKWh: number;
  /** Metric tonnes of CO₂eq; undefined without `kgCo2PerKWh`. */
  readonly co2Tonnes: number | undefined;
  /** GPU hours × price; undefined without `pricePerGpuHour`. */
  readonly cost: number | undefined;
  readonly assumptions: PlanAssumptions;
  /** E.g. a training state that cannot fit in the cluster's memory. */
  readonly warnings: readonly string[];
}

/**
 * Plans a training run: FLOPs, wall-clock days, GPU hours, energy, CO₂ and cost.
 *
 * @example
 * ```ts
 * const plan = planTraining({ params: 405e9, tokens: 15.6e12, gpu: 'h100', gpus: 16000, tflopsPerGpu: 400 });
 * plan.days; // ≈ 68.6
 * plan.gpuHours; // ≈ 26.3e6
 * ```
 * @throws ScalingError on implausible counts (e.g. `tokens: 15.6`), an MFU outside (0, 1], a
 * throughput above the GPU's peak, or both/neither of `mfu` and `tflopsPerGpu`.
 * @public
 */
export function planTraining(input: PlanTrainingInput): TrainingPlan {
  const fn = 'planTraining';
  if (typeof input !== 'object' || input === null) {
    throw new ScalingError({
      code: 'INVALID_ARGUMENT',
      fn,
      argument: 'input',
      detail: 'expected {params, tokens, gpu, gpus, mfu | tflopsPerGpu, …}.',
    });
  }
  const params = checkCount(fn, 'params', input.params, 'parameters');
  const tokens = checkCount(fn, 'tokens', input.tokens, 'tokens');
  const flops =
    input.flops === undefined ? 6 * params * tokens : checkCount(fn, 'flops', input.flops, 'flops');
  const gpu = resolveAccelerator(fn, input.gpu);
  const gpus = check.integer(fn, 'gpus', input.gpus, { min: 1 });
  const precision = input.precision ?? 'bf16';
  const peak = gpu.peakFlops[precision];
  if (peak === undefined) {
    throw new ScalingError({
      code: 'INVALID_ARGUMENT',
      fn,
      argument: 'precision',
      detail: `${gpu.name} has no ${precision} peak in its specification; use ${Object.keys(gpu.peakFlops).join(' or ')}.`,
    });
  }
  const achieved = achievedFlops(fn, input, peak, gpu);
  const watts = input.watts === undefined ? gpu.tdpWatts : check.positive(fn, 'watts', input.watts);
  const pue = check.positive(fn, 'pue', input.pue ?? 1);
  if (pue < 1) {
    throw new ScalingError({
      code: 'INVALID_ARGUMENT',
      fn,
      argument: 'pue',
      detail: `expected a power usage effectiveness ≥ 1, received ${pue}.`,
    });
  }
  const intensity =
    input.kgCo2PerKWh === undefined
      ? undefined
      : check.nonNegative(fn, 'kgCo2PerKWh', input.kgCo2PerKWh);
  if (intensity !== undefined && intensity > 2) {
    throw new ScalingError({
      code: 'INVALID_ARGUMENT',
      fn,
      argument: 'kgCo2PerKWh',
      detail: `expected kg CO₂eq per kWh (grids range 0–1.2), received ${intensity}; g/kWh must be divided by 1000.`,
    });
  }
  const price =
    input.pricePerGpuHour === undefined
      ? undefined
      : check.nonNegative(fn, 'pricePerGpuHour', input.pricePerGpuHour);

  const seconds = flops / (gpus * achieved);
  const gpuHours = (gpus * seconds) / 3600;
  const energyKWh = (gpuHours * watts * pue) / 1000;
  const warnings: string[] = [];
  // Mixed-precision AdamW keeps 16 bytes per parameter (Rajbhandari et al. 2020, §3.1).
  const stateBytes = 16 * params;
  if (stateBytes > gpus * gpu.memoryBytes) {
    warnings.push(
      `the training state (16 bytes per parameter: ${(stateBytes / 1e12).toFixed(1)} TB) exceeds the memory of all ${gpus} GPUs together (${((gpus * gpu.memoryBytes) / 1e12).toFixed(1)} TB); see planParallelism().`,
    );
  }
  if (achieved / peak > 0.75) {
    warnings.push(
      `an MFU of ${(achieved / peak).toFixed(2)} is above what large runs report (PaLM 0.46, Llama 3 405B 0.38–0.43).`,
    );
  }
  return {
    flops,
    seconds,
    days: seconds / 86400,
    gpuHours,
    energyKWh,
    co2Tonnes: intensity === undefined ? undefined : (energyKWh * intensity) / 1000,
    cost: price === undefined ? undefined : gpuHours * price,
    assumptions: {
      flopsFormula: input.flops === undefined ? '6·N·D' : 'given',
      gpu: gpu.name,
      gpuSource: gpu.source,
      gpus,
      precision,
      peakFlopsPerGpu: peak,
      achievedFlopsPerGpu: achieved,
      mfu: achieved / peak,
      watts,
      wattsSource: input.watts === undefined ? 'TDP' : 'given',
      pue,
      ...(intensity === undefined ? {} : { kgCo2PerKWh: intensity }),
      ...(price === undefined ? {} : { pricePerGpuHour: price }),
    },
    warnings,
  };
}

/** Achieved FLOP/s per GPU from exactly one of `mfu` and `tflopsPerGpu`. */
function achievedFlops(
  fn: string,
  input: PlanTrainingInput,
  peak: number,
  gpu: Accelerator,
): number {
  if ((input.mfu === undefined) === (input.tflopsPerGpu === undefined)) {
    throw new ScalingError({
      code: 'INVALID_ARGUMENT',
      fn,
      argument: 'mfu, tflopsPerGpu',
      detail:
        'give exactly one: mfu (a fraction of peak, e.g. 0.4) or tflopsPerGpu (achieved TFLOP/s, e.g. 400).',
    });
  }
  if (input.mfu !== undefined) {
    const mfu = check.positive(fn, 'mfu', input.mfu);
    if (mfu > 1) {
      throw new ScalingError({
        code: 'INVALID_ARGUMENT',
        fn,
        argument: 'mfu',
        detail: `expected a fraction in (0, 1], received ${mfu}${mfu <= 100 ? ` — for ${mfu}% pass ${mfu / 100}` : ''}.`,
      });
    }
    return mfu * peak;
  }
  const tflops = check.positive(fn, 'tflopsPerGpu', input.tflopsPerGpu);
  if (tflops * 1e12 > peak) {
    throw new ScalingError({
      code: 'INVALID_ARGUMENT',
      fn,
      argument: 'tflopsPerGpu',
      detail: `${tflops} TFLOP/s exceeds the ${gpu.name}'s peak of ${peak / 1e12} TFLOP/s; the unit is TFLOP/s (400 for 400 TFLOP/s, not 4e14).`,
    });
  }
  return tflops * 1e12;
}
