/**
 * Proposes tensor (t), pipeline (p) and data (d) parallel degrees with t·p·d = GPUs that fit a
 * model's training state and activations in each GPU's memory, following Narayanan et al.
 * (2021), "Efficient Large-Scale Language Model Training on GPU Clusters Using Megatron-LM",
 * §3.3: tensor parallelism up to the GPUs of one server, then pipeline parallelism, data
 * parallelism for the rest. Among the layouts that fit, the smallest pipeline bubble wins, then
 * the smallest model-parallel size t·p (least communication), then the larger t. With a fixed
 * global batch B on G GPUs, m = B·t·p/G, so a larger t also shrinks the bubble.
 *
 * Per GPU of the fullest pipeline stage (⌈L/p⌉ layers, plus the embedding): its share of the
 * weights with gradients and AdamW state sharded by ZeRO over d
 * (`trainingMemory`), plus the activations of min(p, m) micro-batches in flight under the 1F1B
 * schedule, each of ⌈L/p⌉ layers (`activationMemory`; Korthikanti et al. 2022, §4.2.3). The
 * bubble of the 1F1B schedule is (p − 1)/(m + p − 1) of the step time for m micro-batches
 * (Narayanan et al. 2021, §2.2.1).
 */
import { activationMemory, type Recompute } from './activationMemory.js';
import { ScalingError } from './errors.js';
import { type Accelerator, type AcceleratorId, resolveAccelerator } from './hardware.js';
import { check } from './internal/check.js';
import { type TrainingMemory, trainingMemory, type ZeroStage } from './trainingMemory.js';
import { countParameters, resolveShape, type TransformerShape } from './transformerShape.js';

/** Input of {@link planParallelism}. @public */
export interface PlanParallelismInput {
  readonly shape: TransformerShape;
  /** GPUs in the job. */
  readonly gpus: number;
  /** A catalog id or your own {@link Accelerator}. */
  readonly gpu: AcceleratorId | Accelerator;
  readonly sequenceLength: number;
  /** Sequences per optimizer step, across all data-parallel ranks. */
  readonly globalBatch: number;
  /** Sequences per micro-batch. @defaultValue 1 */
  readonly microBatch?: number;
  /** @defaultValue 1 */
  readonly zeroStage?: ZeroStage;
  /** @defaultValue 'selective' */
  readonly recompute?: Recompute;
  /** Largest tensor-parallel degree (GPUs linked by NVLink in one server). @defaultValue 8 */
  readonly maxTensorParallel?: number;
  /** Share of GPU memory the plan may use (the rest: framework, fragmentation, buffers). @defaultValue 0.9 */
  readonly memoryFraction?: number;
}

/** One layout and what it needs. @public */
export interface ParallelismLayout {
  readonly tensorParallel: number;
  readonly pipelineParallel: number;
  readonly dataParallel: number;
  /** Micro-batches per pipeline per step (m). */
  readonly microBatches: number;
  /** (p − 1)/(m + p − 1): the share of a step the pipeline idles. */
  readonly bubbleFraction: number;
  readonly memory: {
    readonly states: TrainingMemory;
    readonly activations: number;
    readonly total: number;
    /** memoryFraction × the GPU's memory. */
    readonly available: number;
  };
  readonly fits: boolean;
}

/** The outcome of {@link planParallelism}. @public */
export interface ParallelismPlan {
  /** The chosen layout; undefined when nothing fits. */
  readonly best: ParallelismLayout | undefined;
  /** Every valid layout, the fitting ones first in order of preference. */
  readonly layouts: readonly ParallelismLayout[];
  /** Why nothing fits, when nothing does. */
  readonly reason?: string;
}

/**
 * Proposes data/tensor/pipeline degrees that fit in memory, with the pipeline bubble.
 *
 * @example
 * ```ts
 * const plan = planParallelism({ shape: llama3_405b, gpus: 16384, gpu: 'h100', sequenceLength: 8192, globalBatch: 2048 });
 * plan.best; // { tensorParallel: 8, pipelineParallel: 16, dataParallel: 128, … }
 * ```
 * @public
 */
export function planParallelism(input: PlanParallelismInput): ParallelismPlan {
  const fn = 'planParallelism';
  if (typeof input !== 'object' || input === null) {
    throw new ScalingError({
      code: 'INVALID_ARGUMENT',
      fn,
      argument: 'input',
      detail: 'expected {shape, gpus, gpu, sequenceLength, globalBatch, …}.',
    });
  }
  const s = resolveShape(fn, input.shape);
  const gpus = check.integer(fn, 'gpus', input.gpus, { min: 1 });
  const gpu = resolveAccelerator(fn, input.gpu);
  const sequenceLength = check.integer(fn, 'sequenceLength', input.sequenceLength, { min: 1 });
  const globalBatch = check.integer(fn, 'globalBatch', input.globalBatch, { min: 1 });
  const microBatch = check.integer(fn, 'microBatch', input.microBatch ?? 1, { min: 1 });
  const maxTp = check.integer(fn, 'maxTensorParallel', input.maxTensorParallel ?? 8, { min: 1 });
  const fraction = check.probability(fn, 'memoryFraction', input.memoryFraction ?? 0.9);
  const zeroStage = input.zeroStage ?? 1;
  const recompute = input.recompute ?? 'selective';
  const parameters = countParameters(s);
  const available = fraction * gpu.memoryBytes;

  const layouts: ParallelismLayout[] = [];
  for (const t of divisors(gpus)) {
    if (t > maxTp || s.heads % t !== 0) continue;
    for (const p of divisors(gpus / t)) {
      if (p > s.layers) continue;
      const d = gpus / (t * p);
      if (globalBatch % (d * microBatch) !== 0) continue;
      const m = globalBatch / (d * microBatch);
      // The fullest stage has ⌈L/p⌉ layers (uneven stages, as Llama 3 405B's 126 layers on 16).
      const stageLayers = Math.ceil(s.layers / p);
      const stageParams =
        (parameters.nonEmbedding * stageLayers) / (s.layers * t) + (s.vocabSize * s.dModel) / t;
      const states = trainingMemory({ params: stageParams, zeroStage, dataParallel: d });
      const perLayer = activationMemory(input.shape, {
        sequenceLength,
        microBatch,
        tensorParallel: t,
        recompute,
      }).perLayer;
      const activations = perLayer * stageLayers * Math.min(p, m);
      const total = states.total + activations;
      layouts.push({
        tensorParallel: t,
        pipelineParallel: p,
        dataParallel: d,
        microBatches: m,
        bubbleFraction: (p - 1) / (m + p - 1),
        memory: { states, activations, total, available },
        fits: total <= available,
      });
    }
  }
  if (layouts.length === 0) {
    throw new ScalingError({
      code: 'INVALID_ARGUMENT',
      fn,
      argument: 'globalBatch',
      detail: `no layout of ${gpus} GPUs divides the global batch of ${globalBatch} into micro-batches of ${microBatch} with t | ${s.heads} heads (t ≤ ${maxTp}) and p ≤ ${s.layers} layers; choose a batch divisible by the data-parallel degree.`,
    });
  }
  layouts.sort(
    (x, y) =>
      Number(y.fits) - Number(x.fits) ||
      x.bubbleFraction - y.bubbleFraction ||
      x.tensorParallel * x.pipelineParallel - y.tensorParallel * y.pipelineParallel ||
      y.tensorParallel - x.tensorParallel,
  );
  const best = layouts[0]?.fits ? layouts[0] : undefined;
  if (best !== undefined) return { best, layouts };
  const smallest = layouts.reduce((a, b) => (b.memory.total < a.memory.total ? b : a));
  return {
    best,
    layouts,
    reason: `the leanest layout (t=${smallest.tensorParallel}, p=${smallest.pipelineParallel}, d=${smallest.dataParallel}) needs ${(smallest.memory.total / 1e9).toFixed(1)} GB per GPU of ${(available / 1e9).toFixed(1)} GB usable; use more GPUs, ZeRO stage 3, full recomputation or smaller micro-batches.`,
  };
}

/** Divisors of n in ascending order. */
function divisors(n: number): number[] {
  const small: number[] = [];
  const large: number[] = [];
  for (let k = 1; k * k <= n; k++) {
    if (n % k === 0) {
      small.push(k);
      if (k * k !== n) large.unshift(n / k);
    }
  }
  return [...small, ...large];
}
