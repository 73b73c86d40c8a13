/**
 * Attention probabilities under a causal mask as one fused kernel per direction on the cpu and
 * wasm backends (see `kernels/causalSoftmax.ts`); elsewhere, or with
 * `initCompute({ kernels: 'engine' })`, the same function composed from the engine's operations.
 */
import { TensorError } from './errors.js';
import { causalMask } from './internal/causalMasks.js';
import { check } from './internal/check.js';
import { tf } from './internal/engine.js';
import { hasKernel } from './internal/kernels.js';
import { checkFloatTensor } from './internal/tensorChecks.js';
import { CAUSAL_SOFTMAX } from './kernels/causalSoftmax.js';
import type { Tensor } from './tensor.js';

/**
 * softmax(scale · scores) over the last axis, with key j hidden from query i when
 * j > i + (S − T): the T queries are the last T of the S key positions (T = S in training, T < S
 * with a KV cache). Masked probabilities are exactly 0. Differentiable.
 *
 * @param scores - shape [..., T, S], e.g. q·kᵀ of shape [B, heads, T, S]
 * @param scale - multiplies the scores before the softmax. @defaultValue 1 (pass 1/√headSize
 *   for scaled dot-product attention, Vaswani et al. 2017)
 * @example
 * ```ts
 * const att = causalSoftmax(ops.matMul(q, k, false, true), 1 / Math.sqrt(headSize)); // [B, H, T, T]
 * const y = ops.matMul(att, v); // [B, H, T, headSize]
 * ```
 * @throws TensorError `DTYPE_MISMATCH` unless float32; `SHAPE_MISMATCH` for rank < 2 or T > S;
 *   `INVALID_ARGUMENT` for a non-finite scale.
 * @public
 */
export function causalSoftmax<T extends Tensor>(scores: T, scale = 1): T {
  const fn = 'causalSoftmax';
  checkFloatTensor(fn, 'scores', scores, 2);
  check.finite(fn, 'scale', scale);
  const [t, s] = scores.shape.slice(-2) as [number, number];
  if (t > s) {
    throw new TensorError({
      code: 'SHAPE_MISMATCH',
      fn,
      argument: 'scores',
      detail: `the queries (T = ${t}, axis −2) must not outnumber the keys (S = ${s}, axis −1) in shape [${scores.shape.join(', ')}].`,
    });
  }
  if (hasKernel(CAUSAL_SOFTMAX))
    return tf.engine().runKernel(CAUSAL_SOFTMAX, { x: scores }, { scale }) as T;
  // A single query (a decoding step) sees every key: nothing to mask.
  if (t === 1) return tf.tidy(() => tf.softmax(tf.mul(scores, scale))) as T;
  // An additive [T, S] mask of 0 and −∞, broadcast over the leading axes (as nanoGPT's
  // masked_fill), made once per shape and backend.
  const mask = causalMask(t, s);
  return tf.tidy(() => tf.softmax(tf.add(tf.mul(scores, scale), mask))) as T;
}
