/**
 * RMS normalisation over the last axis as one fused kernel per direction on the cpu and wasm
 * backends (see `kernels/rmsNorm.ts`); elsewhere, or with `initCompute({ kernels: 'engine' })`,
 * the same function composed from the engine's operations.
 */
import { check } from './internal/check.js';
import { tf } from './internal/engine.js';
import { hasKernel, recordingGradients } from './internal/kernels.js';
import { checkFloatTensor, checkShape } from './internal/tensorChecks.js';
import { RMS_NORM } from './kernels/rmsNorm.js';
import type { Tensor } from './tensor.js';

/**
 * y = x / √(mean(x²) + ε) · γ over the last axis (Zhang & Sennrich 2019; Llama's RMSNorm),
 * differentiable in x and γ.
 *
 * @param x - shape [..., C]
 * @param gamma - shape [C]
 * @param epsilon - added to the mean square. @defaultValue 1e-6 (Llama's `rms_norm_eps`)
 * @throws TensorError `DTYPE_MISMATCH` for non-float32 tensors, `SHAPE_MISMATCH` when γ is not
 *   [C], `INVALID_ARGUMENT` for a negative or non-finite ε.
 * @public
 */
export function rmsNorm<T extends Tensor>(x: T, gamma: Tensor, epsilon = 1e-6): T {
  const fn = 'rmsNorm';
  checkFloatTensor(fn, 'x', x, 1);
  checkShape(fn, 'gamma', checkFloatTensor(fn, 'gamma', gamma), [x.shape[x.rank - 1]!]);
  check.nonNegative(fn, 'epsilon', epsilon);
  // The fused forward pays off with its backward (it saves the row statistics); alone, tfjs's
  // vectorised elementwise kernels compose it as fast (bench/kernels.ts), so it runs only while
  // a gradient is recorded.
  const fused = hasKernel(RMS_NORM) && recordingGradients();
  if (fused) {
    const [y, rstd] = tf.engine().runKernel(RMS_NORM, { x, gamma }, { epsilon }) as Tensor[];
    rstd!.dispose();
    return y as T;
  }
  return tf.tidy(() =>
    tf.mul(tf.mul(x, tf.rsqrt(tf.add(tf.mean(tf.square(x), -1, true), epsilon))), gamma),
  ) as T;
}
