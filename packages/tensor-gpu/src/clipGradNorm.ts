/**
 * Global-norm gradient clipping with the semantics of `torch.nn.utils.clip_grad_norm_`
 * (https://pytorch.org/docs/stable/generated/torch.nn.utils.clip_grad_norm_.html): the norm is
 * taken over all gradients together, as if concatenated; every gradient is multiplied by
 * min(1, maxNorm / (totalNorm + 1e-6)).
 *
 * Tensors are immutable, so the clipped gradients are new tensors (the inputs are left to the
 * caller); call it inside a `scope` in a training step.
 */
import { TensorError } from './errors.js';
import { check } from './internal/check.js';
import { tf } from './internal/engine.js';
import type { NamedTensors, Tensor } from './tensor.js';

/** Options of {@link clipGradNorm}. @public */
export interface ClipGradNormOptions {
  /** The p of the p-norm: 1, 2 or `Infinity` (largest magnitude). @defaultValue 2 */
  readonly normType?: 1 | 2 | number;
  /** Throw `NON_FINITE` when the total norm is NaN or infinite (torch's `error_if_nonfinite`). @defaultValue false */
  readonly errorIfNonfinite?: boolean;
}

/** What {@link clipGradNorm} returns. @public */
export interface ClipGradNormResult<G extends NamedTensors> {
  /** The gradients scaled by the clip coefficient (new tensors, same names and shapes). */
  readonly gradients: G;
  /** The norm of all gradients before clipping (read from the device). */
  readonly totalNorm: number;
}

/**
 * Scales gradients so that their global norm is at most `maxNorm`.
 * @example
 * ```ts
 * const { gradients, totalNorm } = clipGradNorm(grads, 1.0);
 * optimizer.step(gradients);
 * ```
 * @public
 */
export function clipGradNorm<G extends NamedTensors>(
  gradients: G,
  maxNorm: number,
  options: ClipGradNormOptions = {},
): ClipGradNormResult<G> {
  const fn = 'clipGradNorm';
  check.nonNegative(fn, 'maxNorm', maxNorm);
  const p = options.normType ?? 2;
  if (!(p === Number.POSITIVE_INFINITY || (Number.isFinite(p) && p > 0))) {
    check.positive(fn, 'options.normType', p);
  }
  const entries = Object.entries(gradients);
  for (const [name, g] of entries) {
    if (!(g instanceof tf.Tensor) || g.dtype !== 'float32') {
      throw new TensorError({
        code: 'DTYPE_MISMATCH',
        fn,
        argument: `gradients.${name}`,
        detail: `expected a float32 tensor, received ${g instanceof tf.Tensor ? g.dtype : typeof g}.`,
      });
    }
  }
  if (entries.length === 0) return { gradients, totalNorm: 0 };
  const totalTensor = tf.tidy(() => {
    if (p === Number.POSITIVE_INFINITY) {
      return tf.max(tf.stack(entries.map(([, g]) => tf.max(tf.abs(g)))));
    }
    const powered = entries.map(([, g]) =>
      tf.sum(p === 2 ? tf.square(g) : p === 1 ? tf.abs(g) : tf.pow(tf.abs(g), p)),
    );
    const sum = tf.addN(powered);
    return p === 2 ? tf.sqrt(sum) : p === 1 ? sum : tf.pow(sum, 1 / p);
  });
  const totalNorm = totalTensor.dataSync()[0]!;
  totalTensor.dispose();
  if (!Number.isFinite(totalNorm) && options.errorIfNonfinite === true) {
    throw new TensorError({
      code: 'NON_FINITE',
      fn,
      argument: 'gradients',
      detail: `the total gradient norm is ${totalNorm}; the step diverged or a loss scale overflowed. Skip this update or lower the learning rate.`,
    });
  }
  // torch: clip_coef = max_norm / (total_norm + 1e-6), clamped to at most 1, always applied.
  const coefficient = Math.min(1, maxNorm / (totalNorm + 1e-6));
  const clipped: Record<string, Tensor> = {};
  for (const [name, g] of entries) clipped[name] = tf.mul(g, coefficient);
  return { gradients: clipped as G, totalNorm };
}
