/**
 * Causal scaled dot-product attention: two matrix products around {@link causalSoftmax} (itself
 * fused on cpu and wasm). On WebGPU, where the [T, S] scores would exceed what one buffer of the
 * device may hold, FlashAttention-style WGSL kernels (forward and backward; see `webgpu/`) that
 * never materialise them; below that, the composition is the faster (see
 * `internal/fusedAttention.ts`).
 */
import { causalSoftmax } from './causalSoftmax.js';
import { TensorError } from './errors.js';
import { check } from './internal/check.js';
import { tf } from './internal/engine.js';
import { fusedAttentionFor } from './internal/fusedAttention.js';
import { hasKernel } from './internal/kernels.js';
import { checkFloatTensor } from './internal/tensorChecks.js';
import { CAUSAL_ATTENTION } from './kernels/causalAttention.js';
import type { Tensor } from './tensor.js';
import { MAX_HEAD_SIZE } from './webgpu/attentionShaders.js';

/**
 * softmax(scale · q·kᵀ, causal) · v: each of the T queries (the last T of the S positions) attends
 * to the keys at or before its own position. Differentiable in q, k and v.
 *
 * @param q - shape [..., T, D], e.g. [B, heads, T, headSize]
 * @param k - shape [..., S, D] with S ≥ T and the same leading axes
 * @param v - shape [..., S, D]
 * @param scale - multiplies the scores. @defaultValue 1/√D (Vaswani et al. 2017)
 * @returns shape [..., T, D]
 * @example
 * ```ts
 * const y = causalAttention(q, k, v); // [B, H, T, hs]
 * ```
 * @throws TensorError `DTYPE_MISMATCH` unless float32; `SHAPE_MISMATCH` when the shapes do not
 *   fit; `INVALID_ARGUMENT` for a non-finite scale.
 * @public
 */
export function causalAttention<T extends Tensor>(q: T, k: Tensor, v: Tensor, scale?: number): T {
  const fn = 'causalAttention';
  for (const [name, x] of [
    ['q', q],
    ['k', k],
    ['v', v],
  ] as const)
    checkFloatTensor(fn, name, x, 2);
  const lead = q.shape.slice(0, -2);
  const [t, d] = q.shape.slice(-2) as [number, number];
  const s = k.shape[k.rank - 2]!;
  const expect = (name: string, x: Tensor, shape: number[]): void => {
    if (!tf.util.arraysEqual(x.shape, shape)) {
      throw new TensorError({
        code: 'SHAPE_MISMATCH',
        fn,
        argument: name,
        detail: `expected shape [${shape.join(', ')}] to match q [${q.shape.join(', ')}], received [${x.shape.join(', ')}].`,
      });
    }
  };
  expect('k', k, [...lead, s, d]);
  expect('v', v, [...lead, s, d]);
  if (t > s) {
    throw new TensorError({
      code: 'SHAPE_MISMATCH',
      fn,
      argument: 'k',
      detail: `the queries (T = ${t}) must not outnumber the keys (S = ${s}).`,
    });
  }
  const factor = check.finite(fn, 'scale', scale ?? 1 / Math.sqrt(d));
  const bh = lead.reduce((a, b) => a * b, 1);
  if (hasKernel(CAUSAL_ATTENTION) && d <= MAX_HEAD_SIZE && fusedAttentionFor(4 * bh * t * s)) {
    return tf.tidy(() => {
      const [o] = tf.engine().runKernel(
        CAUSAL_ATTENTION,
        {
          q: tf.reshape(q, [bh, t, d]),
          k: tf.reshape(k, [bh, s, d]),
          v: tf.reshape(v, [bh, s, d]),
        },
        { scale: factor },
      ) as Tensor[];
      return tf.reshape(o!, q.shape);
    }) as T;
  }
  return tf.tidy(() => tf.matMul(causalSoftmax(tf.matMul(q, k, false, true), factor), v)) as T;
}
