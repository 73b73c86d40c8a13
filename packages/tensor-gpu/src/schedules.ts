/**
 * Learning-rate schedules: functions from the 0-based index of the update about to be taken to
 * a learning rate. An optimizer built with a schedule calls it once per `step`.
 *
 * The formulas are Hugging Face transformers' (`src/transformers/optimization.py`):
 * `get_cosine_with_min_lr_schedule_with_warmup` and `get_wsd_schedule` (warmup-stable-decay,
 * Hu et al. 2024, MiniCPM, arXiv:2404.06395; its `1-sqrt` cooldown from Hägele et al. 2024,
 * arXiv:2405.18392), multiplied by the peak rate as `LambdaLR` does. Step 0 of a warmup has
 * rate 0 (or `minLearningRate` for WSD), as there. One deliberate difference: past
 * `totalSteps` the cosine stays at its floor, where Hugging Face's climbs back up.
 */
import { TensorError } from './errors.js';
import { check } from './internal/check.js';

/** Maps the 0-based index of an update to its learning rate. @public */
export type LearningRateSchedule = (step: number) => number;

/** A schedule that always returns `learningRate`. @public */
export function constantSchedule(learningRate: number): LearningRateSchedule {
  check.nonNegative('constantSchedule', 'learningRate', learningRate);
  return () => learningRate;
}

/** Options of {@link warmupCosineSchedule}. @public */
export interface WarmupCosineOptions {
  /** The rate at the end of warmup. */
  readonly peakLearningRate: number;
  /** Linear warmup from 0 over this many updates. */
  readonly warmupSteps: number;
  /** Total updates; the cosine reaches `minLearningRate` here and stays. */
  readonly totalSteps: number;
  /** The floor of the decay. @defaultValue 0 */
  readonly minLearningRate?: number;
}

/**
 * Linear warmup, then half a cosine from the peak down to `minLearningRate` at `totalSteps`.
 * @example
 * ```ts
 * const lr = warmupCosineSchedule({ peakLearningRate: 6e-4, warmupSteps: 100, totalSteps: 5000, minLearningRate: 6e-5 });
 * ```
 * @public
 */
export function warmupCosineSchedule(options: WarmupCosineOptions): LearningRateSchedule {
  const fn = 'warmupCosineSchedule';
  const peak = check.nonNegative(fn, 'options.peakLearningRate', options.peakLearningRate);
  const warmup = check.integer(fn, 'options.warmupSteps', options.warmupSteps, { min: 0 });
  const total = check.integer(fn, 'options.totalSteps', options.totalSteps, { min: warmup });
  const floor = minimumRate(fn, options.minLearningRate, peak);
  const minRatio = peak === 0 ? 0 : floor / peak;
  return (step) => {
    if (step < warmup) return (peak * step) / Math.max(1, warmup);
    const progress = Math.min(1, (step - warmup) / Math.max(1, total - warmup));
    const factor = 0.5 * (1 + Math.cos(Math.PI * progress));
    return peak * Math.max(0, factor * (1 - minRatio) + minRatio);
  };
}

/** Shape of the warmup or decay ramp of {@link warmupStableDecaySchedule}. @public */
export type RampShape = 'linear' | 'cosine' | '1-sqrt';

/** Options of {@link warmupStableDecaySchedule}. @public */
export interface WarmupStableDecayOptions {
  /** The rate of the stable phase. */
  readonly peakLearningRate: number;
  /** Updates spent ramping up from `minLearningRate` to the peak. */
  readonly warmupSteps: number;
  /** Updates at the peak. */
  readonly stableSteps: number;
  /** Updates spent ramping down to `minLearningRate` (the annealing, e.g. on high-quality data). */
  readonly decaySteps: number;
  /** Where the ramps start and end. @defaultValue 0 */
  readonly minLearningRate?: number;
  /** Warmup shape. @defaultValue `'linear'` */
  readonly warmupShape?: RampShape;
  /** Decay shape. @defaultValue `'1-sqrt'` (Hägele et al. 2024 found it best) */
  readonly decayShape?: RampShape;
}

const SHAPES: readonly RampShape[] = ['linear', 'cosine', '1-sqrt'];

/**
 * Warmup-stable-decay: ramp up, hold the peak, then anneal to `minLearningRate` and stay there.
 * Unlike cosine, the stable phase needs no total length in advance: a run can branch a decay
 * from any checkpoint of the stable phase.
 * @public
 */
export function warmupStableDecaySchedule(options: WarmupStableDecayOptions): LearningRateSchedule {
  const fn = 'warmupStableDecaySchedule';
  const peak = check.nonNegative(fn, 'options.peakLearningRate', options.peakLearningRate);
  const warmup = check.integer(fn, 'options.warmupSteps', options.warmupSteps, { min: 0 });
  const stable = check.integer(fn, 'options.stableSteps', options.stableSteps, { min: 0 });
  const decay = check.integer(fn, 'options.decaySteps', options.decaySteps, { min: 0 });
  const floor = minimumRate(fn, options.minLearningRate, peak);
  const warmupShape = rampShape(fn, 'options.warmupShape', options.warmupShape ?? 'linear');
  const decayShape = rampShape(fn, 'options.decayShape', options.decayShape ?? '1-sqrt');
  const minRatio = peak === 0 ? 0 : floor / peak;
  const scaled = (factor: number): number => peak * Math.max(0, factor * (1 - minRatio) + minRatio);
  return (step) => {
    if (step < warmup) {
      const progress = step / Math.max(1, warmup);
      if (warmupShape === 'linear') return scaled(progress);
      if (warmupShape === 'cosine') return scaled(0.5 * (1 - Math.cos(Math.PI * progress)));
      return scaled(1 - Math.sqrt(1 - progress));
    }
    if (step < warmup + stable) return peak;
    if (step < warmup + stable + decay) {
      const progress = (step - warmup - stable) / Math.max(1, decay);
      if (decayShape === 'linear') return scaled(1 - progress);
      if (decayShape === 'cosine') return scaled(0.5 * (1 + Math.cos(Math.PI * progress)));
      return scaled(1 - Math.sqrt(progress));
    }
    return floor;
  };
}

function minimumRate(fn: string, value: number | undefined, peak: number): number {
  if (value === undefined) return 0;
  const floor = check.nonNegative(fn, 'options.minLearningRate', value);
  if (floor > peak) {
    throw new TensorError({
      code: 'INVALID_ARGUMENT',
      fn,
      argument: 'options.minLearningRate',
      detail: `expected at most peakLearningRate (${peak}), received ${floor}.`,
    });
  }
  return floor;
}

function rampShape(fn: string, argument: string, value: RampShape): RampShape {
  if (!SHAPES.includes(value)) {
    throw new TensorError({
      code: 'INVALID_ARGUMENT',
      fn,
      argument,
      detail: `unknown shape ${JSON.stringify(value)}; expected one of ${SHAPES.map((s) => `'${s}'`).join(', ')}.`,
    });
  }
  return value;
}
