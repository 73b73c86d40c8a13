/**
 * FLOP accounting for matmul-dominated work (transformers: 6·N FLOPs per token for training,
 * almost all of it in matrix products) and model FLOP utilisation: achieved FLOP/s divided by
 * the device's peak, which is measured once per device by a matmul probe and cached.
 *
 * MFU follows PaLM (Chowdhery et al. 2022, arXiv:2204.02311, appendix B): model FLOPs per
 * second over peak FLOP/s, where model FLOPs do not count recomputation. Here the "peak" is
 * the best rate this backend reaches on a large square matmul, a measured ceiling rather than
 * a datasheet number, so MFU reads as "fraction of what this backend can do here".
 */
import { computeInfo, recordPeakFlops } from './compute.js';
import { TensorError } from './errors.js';
import { check } from './internal/check.js';
import { tf } from './internal/engine.js';
import type { TensorContainer } from './memory.js';

/** FLOPs of a (batched) matrix product [batch, m, k] × [batch, k, n]: 2·batch·m·k·n. @public */
export function matmulFlops(m: number, k: number, n: number, batch = 1): number {
  const fn = 'matmulFlops';
  for (const [name, v] of [
    ['m', m],
    ['k', k],
    ['n', n],
    ['batch', batch],
  ] as const) {
    check.integer(fn, name, v, { min: 0 });
  }
  return 2 * batch * m * k * n;
}

/** What {@link countMatmulFlops} returns. @public */
export interface MatmulFlopCount<T> {
  /** What `fn` returned. */
  readonly result: T;
  /** FLOPs of every matrix product the engine ran, backward passes included. */
  readonly flops: number;
  /** Matrix-product kernels run. */
  readonly matmuls: number;
  /** All kernels run. */
  readonly kernels: number;
}

const MATMUL_KERNELS = new Set(['BatchMatMul', '_FusedMatMul']);

/**
 * Runs `fn` under the engine's profiler and adds up 2·m·k·n (times the batch) for every matrix
 * product it executes, gradients included. Profiling synchronises after each kernel, so time
 * the work separately; this counts it.
 * @example
 * ```ts
 * const { flops } = await countMatmulFlops(() => ops.grads(loss)([w]));
 * ```
 * @public
 */
export async function countMatmulFlops<T extends TensorContainer>(
  fn: () => T | Promise<T>,
): Promise<MatmulFlopCount<T>> {
  const profile = await tf.profile(fn as () => tf.TensorContainer);
  let flops = 0;
  let matmuls = 0;
  for (const kernel of profile.kernels) {
    if (!MATMUL_KERNELS.has(kernel.name)) continue;
    const [a] = kernel.inputShapes;
    const [out] = kernel.outputShapes;
    if (a == null || out === undefined || a.length < 2) continue;
    // a is [..., m, k] or, transposed, [..., k, m]; the output is [..., m, n].
    const m = out[out.length - 2]!;
    const k = a[a.length - 2] === m ? a[a.length - 1]! : a[a.length - 2]!;
    flops += 2 * out.reduce((x, y) => x * y, 1) * k;
    matmuls++;
  }
  return { result: profile.result as T, flops, matmuls, kernels: profile.kernels.length };
}

/** Options of {@link measurePeakFlops}. @public */
export interface MeasurePeakOptions {
  /** Largest square matmul size to try. @defaultValue 2048 */
  readonly maxSize?: number;
  /** Wall time to spend timing at the chosen size, in milliseconds. @defaultValue 300 */
  readonly budgetMs?: number;
  /** Measure again even if this device has a cached peak. @defaultValue false */
  readonly refresh?: boolean;
  /** Stops the probe between matmuls. */
  readonly signal?: AbortSignal;
}

/**
 * Measures the current backend's peak FLOP/s: square float32 matmuls, doubling the size from 128
 * until one product takes 25 ms or `maxSize` is reached, then the best rate over repeated
 * products at that size. Cached per backend, device and thread count for the process, and
 * stored in `computeInfo().peakFlops`.
 * @public
 */
export async function measurePeakFlops(options: MeasurePeakOptions = {}): Promise<number> {
  const fn = 'measurePeakFlops';
  const info = computeInfo();
  if (info === undefined) {
    throw new TensorError({
      code: 'UNAVAILABLE',
      fn,
      detail: 'no backend is running; await initCompute() first.',
    });
  }
  if (info.peakFlops !== undefined && options.refresh !== true) return info.peakFlops;
  const maxSize = check.integer(fn, 'options.maxSize', options.maxSize ?? 2048, { min: 16 });
  const budget = check.positive(fn, 'options.budgetMs', options.budgetMs ?? 300);
  const aborted = (): void => {
    if (options.signal?.aborted) {
      throw new TensorError({
        code: 'ABORTED',
        fn,
        argument: 'options.signal',
        detail: 'the probe was cancelled.',
      });
    }
  };
  const timeOnce = async (a: tf.Tensor, b: tf.Tensor): Promise<number> => {
    aborted();
    const start = performance.now();
    const c = tf.matMul(a, b);
    await c.data();
    c.dispose();
    return performance.now() - start;
  };
  let size = Math.min(128, maxSize);
  let best = 0;
  for (;;) {
    const [a, b] = [
      tf.randomUniform([size, size], -1, 1, 'float32', 1),
      tf.randomUniform([size, size], -1, 1, 'float32', 2),
    ];
    try {
      await timeOnce(a, b); // warm-up: first use compiles or allocates
      const first = await timeOnce(a, b);
      if (first < 25 && size * 2 <= maxSize) {
        size *= 2;
        continue;
      }
      let fastest = first;
      for (let spent = first; spent < budget; ) {
        const ms = await timeOnce(a, b);
        fastest = Math.min(fastest, ms);
        spent += ms;
      }
      best = (2 * size ** 3) / (fastest / 1000);
      break;
    } finally {
      tf.dispose([a, b]);
    }
  }
  recordPeakFlops(best);
  return best;
}

/** What {@link mfu} needs. @public */
export interface MfuInput {
  /** Model FLOPs done (e.g. 6 · parameters · tokens for a training step). */
  readonly flops: number;
  /** Wall time they took. */
  readonly seconds: number;
  /** Peak to compare with. @defaultValue `computeInfo().peakFlops` (see {@link measurePeakFlops}) */
  readonly peakFlops?: number;
}

/**
 * Model FLOP utilisation: (flops / seconds) / peak, a fraction in [0, 1] (50% is excellent).
 * @throws TensorError `UNAVAILABLE` when no peak was given or measured for this device.
 * @public
 */
export function mfu(input: MfuInput): number {
  const fn = 'mfu';
  const flops = check.nonNegative(fn, 'input.flops', input.flops);
  const seconds = check.positive(fn, 'input.seconds', input.seconds);
  const peak = input.peakFlops ?? computeInfo()?.peakFlops;
  if (peak === undefined) {
    throw new TensorError({
      code: 'UNAVAILABLE',
      fn,
      argument: 'input.peakFlops',
      detail: 'no peak is known for this device; pass peakFlops or await measurePeakFlops() first.',
    });
  }
  return flops / seconds / check.positive(fn, 'input.peakFlops', peak);
}
