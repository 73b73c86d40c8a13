/**
 * Layer normalisation over the last axis as one fused kernel per direction on the cpu and wasm
 * backends (see `kernels/layerNorm.ts`); elsewhere, or with `initCompute({ kernels: 'engine' })`,
 * the same function composed from the engine's operations.
 */

import { check } from './internal/check.js';
import { tf } from './internal/engine.js';
import { hasKernel, recordingGradients } from './internal/kernels.js';
import { checkFloatTensor, checkShape } from './internal/tensorChecks.js';
import { LAYER_NORM } from './kernels/layerNorm.js';
import type { Tensor } from './tensor.js';

/**
 * y = (x − mean(x)) / √(var(x) + ε) · γ + β over the last axis (Ba et al. 2016; PyTorch's
 * `layer_norm` with biased variance), differentiable in x, γ and β.
 *
 * @param x - shape [..., C]
 * @param gamma - shape [C]
 * @param beta - shape [C]
 * @param epsilon - added to the variance. @defaultValue 1e-5 (PyTorch's default)
 * @example
 * ```ts
 * const h = layerNorm(x, ln1.gamma, ln1.beta); // x: [B·T, C]
 * ```
 * @throws TensorError `DTYPE_MISMATCH` for non-float32 tensors, `SHAPE_MISMATCH` when γ or β is
 *   not [C], `INVALID_ARGUMENT` for a negative or non-finite ε.
 * @public
 */
export function layerNorm<T extends Tensor>(x: T, gamma: Tensor, beta: Tensor, epsilon = 1e-5): T {
  const fn = 'layerNorm';
  checkFloatTensor(fn, 'x', x, 1);
  const c = x.shape[x.rank - 1]!;
  checkShape(fn, 'gamma', checkFloatTensor(fn, 'gamma', gamma), [c]);
  checkShape(fn, 'beta', checkFloatTensor(fn, 'beta', beta), [c]);
  check.nonNegative(fn, 'epsilon', epsilon);
  // The fused forward pays off with its backward (it saves the row statistics); alone, tfjs's
  // vectorised elementwise kernels compose it as fast (bench/kernels.ts), so it runs only while
  // a gradient is recorded.
  const fused = hasKernel(LAYER_NORM) && recordingGradients();
  if (fused) {
    const [y, mean, rstd] = tf
      .engine()
      .runKernel(LAYER_NORM, { x, gamma, beta }, { epsilon }) as Tensor[];
    mean!.dispose();
    rstd!.dispose();
    return y as T;
  }
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(x, -1, true);
    return tf.add(
      tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, epsilon))), gamma),
      beta,
    );
  }) as T;
}
