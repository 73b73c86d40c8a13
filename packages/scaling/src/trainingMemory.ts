/**
 * Memory of the model states in mixed-precision training with Adam(W), and how ZeRO shards
 * them across data-parallel GPUs (Rajbhandari et al. 2020, "ZeRO", §3.1 and Figure 1): per
 * parameter, 2 bytes of 16-bit weights, 2 of 16-bit gradients and K = 12 of optimizer state
 * (fp32 master weights, momentum and variance). Stage 1 shards the optimizer state, stage 2
 * also the gradients, stage 3 also the weights, each over the N_d data-parallel ranks:
 *
 *   stage 0: (2 + 2 + K)·Ψ   1: (2 + 2)·Ψ + K·Ψ/N_d   2: 2Ψ + (2 + K)·Ψ/N_d   3: (2 + 2 + K)·Ψ/N_d
 */
import { ScalingError } from './errors.js';
import { check } from './internal/check.js';
import { checkCount } from './internal/counts.js';

/** ZeRO stage. @public */
export type ZeroStage = 0 | 1 | 2 | 3;

/** Input of {@link trainingMemory}. @public */
export interface TrainingMemoryInput {
  /** Parameters held by this GPU's model replica (Ψ; divide by tensor × pipeline degree first). */
  readonly params: number;
  /** @defaultValue 0 */
  readonly zeroStage?: ZeroStage;
  /** Data-parallel ranks the state is sharded over (N_d). @defaultValue 1 */
  readonly dataParallel?: number;
  /** Bytes per weight. @defaultValue 2 (bf16/fp16) */
  readonly weightBytes?: number;
  /** Bytes per gradient. @defaultValue 2 */
  readonly gradientBytes?: number;
  /** Optimizer bytes per parameter (K). @defaultValue 12 (fp32 master, momentum, variance) */
  readonly optimizerBytes?: number;
}

/** Bytes per GPU, by part. @public */
export interface TrainingMemory {
  readonly weights: number;
  readonly gradients: number;
  readonly optimizer: number;
  readonly total: number;
  /** total / Ψ. */
  readonly bytesPerParam: number;
}

/**
 * Per-GPU memory of weights, gradients and optimizer state.
 *
 * @example
 * ```ts
 * // ZeRO's Figure 1: 7.5B parameters on 64 GPUs → 120, 31.4, 16.6, 1.9 GB for stages 0–3.
 * trainingMemory({ params: 7.5e9, zeroStage: 2, dataParallel: 64 }).total; // 16.6e9
 * ```
 * @public
 */
export function trainingMemory(input: TrainingMemoryInput): TrainingMemory {
  const fn = 'trainingMemory';
  const params = checkCount(fn, 'params', input?.params, 'parameters');
  const stage = input.zeroStage ?? 0;
  if (stage !== 0 && stage !== 1 && stage !== 2 && stage !== 3) {
    throw new ScalingError({
      code: 'INVALID_ARGUMENT',
      fn,
      argument: 'zeroStage',
      detail: `expected 0, 1, 2 or 3, received ${String(stage)}.`,
    });
  }
  const nd = check.integer(fn, 'dataParallel', input.dataParallel ?? 1, { min: 1 });
  const weightBytes = check.positive(fn, 'weightBytes', input.weightBytes ?? 2);
  const gradientBytes = check.positive(fn, 'gradientBytes', input.gradientBytes ?? 2);
  const optimizerBytes = check.nonNegative(fn, 'optimizerBytes', input.optimizerBytes ?? 12);
  const weights = (weightBytes * params) / (stage >= 3 ? nd : 1);
  const gradients = (gradientBytes * params) / (stage >= 2 ? nd : 1);
  const optimizer = (optimizerBytes * params) / (stage >= 1 ? nd : 1);
  const total = weights + gradients + optimizer;
  return { weights, gradients, optimizer, total, bytesPerParam: total / params };
}
