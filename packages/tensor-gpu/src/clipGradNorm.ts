/**
 * Global-norm gradient clipping with the semantics of `torch.nn.utils.clip_grad_norm_`
 * (https://pytorch.org/docs/stable/generated/torch.nn.utils.clip_grad_norm_.html): the norm is
 * taken over all gradients together, as if concatenated; every gradient is multiplied by
 * min(1, maxNorm / (totalNorm + 1e-6)).
 *
 * The coefficient is computed and applied on the device, so {@link clipGradNorm} never waits for
 * the device and runs on every backend (WebGPU has no synchronous read in Node); it returns the
 * norm as a scalar tensor. {@link clipGradNormAsync} also reads the norm back as a number, which
 * a training log or `errorIfNonfinite` needs.
 *
 * Tensors are immutable, so the clipped gradients are new tensors (the inputs are left to the
 * caller).
 */
import { TensorError } from './errors.js';
import { check } from './internal/check.js';
import { tf } from './internal/engine.js';
import { dispose } from './memory.js';
import type { NamedTensors, Scalar, Tensor } from './tensor.js';

/** Options of {@link clipGradNorm}. @public */
export interface ClipGradNormOptions {
  /** The p of the p-norm: 1, 2 or `Infinity` (largest magnitude). @defaultValue 2 */
  readonly normType?: 1 | 2 | number;
}

/** Options of {@link clipGradNormAsync}. @public */
export interface ClipGradNormAsyncOptions extends ClipGradNormOptions {
  /** Throw `NON_FINITE` when the total norm is NaN or infinite (torch's `error_if_nonfinite`). @defaultValue false */
  readonly errorIfNonfinite?: boolean;
}

/**
 * What {@link clipGradNorm} returns; the caller owns (disposes) every tensor in it. A type rather
 * than an interface so that a `scope` may return it whole.
 * @public
 */
export type ClipGradNormResult<G extends NamedTensors> = {
  /** The gradients scaled by the clip coefficient (new tensors, same names and shapes). */
  readonly gradients: G;
  /** The norm of all gradients before clipping, a float32 scalar on the device. */
  readonly totalNorm: Scalar;
};

/** What {@link clipGradNormAsync} resolves to; the caller owns (disposes) the gradients. @public */
export interface ClipGradNormReadResult<G extends NamedTensors> {
  /** The gradients scaled by the clip coefficient (new tensors, same names and shapes). */
  readonly gradients: G;
  /** The norm of all gradients before clipping, read from the device. */
  readonly totalNorm: number;
}

/**
 * Scales gradients so that their global norm is at most `maxNorm`, without reading anything
 * from the device. Use it inside a `scope`, or dispose `gradients` and `totalNorm` when done.
 * @example
 * ```ts
 * scope(() => {
 *   const { gradients } = clipGradNorm(grads, 1.0);
 *   optimizer.step(gradients);
 * });
 * ```
 * @public
 */
export function clipGradNorm<G extends NamedTensors>(
  gradients: G,
  maxNorm: number,
  options: ClipGradNormOptions = {},
): ClipGradNormResult<G> {
  const fn = 'clipGradNorm';
  if ((options as ClipGradNormAsyncOptions).errorIfNonfinite !== undefined) {
    throw new TensorError({
      code: 'INVALID_ARGUMENT',
      fn,
      argument: 'options.errorIfNonfinite',
      detail:
        'checking the norm needs a read from the device; call clipGradNormAsync for errorIfNonfinite.',
    });
  }
  return clipOnDevice(fn, gradients, maxNorm, options);
}

/**
 * {@link clipGradNorm}, then waits for the device and reads the total norm (one scalar), for a
 * log line or to refuse a diverged step. Works on every backend, WebGPU included.
 * @example
 * ```ts
 * const { gradients, totalNorm } = await clipGradNormAsync(grads, 1.0, { errorIfNonfinite: true });
 * optimizer.step(gradients);
 * dispose(gradients);
 * ```
 * @throws TensorError `NON_FINITE` when `errorIfNonfinite` is set and the norm is NaN or infinite
 * (nothing is left allocated).
 * @public
 */
export async function clipGradNormAsync<G extends NamedTensors>(
  gradients: G,
  maxNorm: number,
  options: ClipGradNormAsyncOptions = {},
): Promise<ClipGradNormReadResult<G>> {
  const fn = 'clipGradNormAsync';
  const { gradients: clipped, totalNorm: normTensor } = clipOnDevice(
    fn,
    gradients,
    maxNorm,
    options,
  );
  let totalNorm: number;
  try {
    totalNorm = (await normTensor.data())[0]!;
  } finally {
    normTensor.dispose();
  }
  if (!Number.isFinite(totalNorm) && options.errorIfNonfinite === true) {
    dispose(clipped);
    throw new TensorError({
      code: 'NON_FINITE',
      fn,
      argument: 'gradients',
      detail: `the total gradient norm is ${totalNorm}; the step diverged or a loss scale overflowed. Skip this update or lower the learning rate.`,
    });
  }
  return { gradients: clipped, totalNorm };
}

function clipOnDevice<G extends NamedTensors>(
  fn: string,
  gradients: G,
  maxNorm: number,
  options: ClipGradNormOptions,
): ClipGradNormResult<G> {
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
  if (entries.length === 0) return { gradients, totalNorm: tf.scalar(0) };
  const totalNorm = tf.tidy(() => {
    if (p === Number.POSITIVE_INFINITY) {
      return tf.max(tf.stack(entries.map(([, g]) => tf.max(tf.abs(g)))));
    }
    const powered = entries.map(([, g]) =>
      tf.sum(p === 2 ? tf.square(g) : p === 1 ? tf.abs(g) : tf.pow(tf.abs(g), p)),
    );
    const sum = tf.addN(powered);
    return p === 2 ? tf.sqrt(sum) : p === 1 ? sum : tf.pow(sum, 1 / p);
  }) as Scalar;
  // torch: clip_coef = max_norm / (total_norm + 1e-6), clamped to at most 1, always applied
  // (a NaN norm makes every gradient NaN, as in torch).
  const clipped = tf.tidy(() => {
    const coefficient = tf.minimum(tf.div(maxNorm, tf.add(totalNorm, 1e-6)), 1);
    const out: Record<string, Tensor> = {};
    for (const [name, g] of entries) out[name] = tf.mul(g, coefficient);
    return out;
  });
  return { gradients: clipped as G, totalNorm };
}
