/**
 * GELU activation, exact (erf) form, as one fused kernel per direction on the cpu and wasm
 * backends (see `kernels/gelu.ts`); elsewhere, or with `initCompute({ kernels: 'engine' })`, the
 * same function composed from the engine's operations.
 */
import { tf } from './internal/engine.js';
import { hasKernel } from './internal/kernels.js';
import { checkFloatTensor } from './internal/tensorChecks.js';
import { GELU } from './kernels/gelu.js';
import type { Tensor } from './tensor.js';

/**
 * gelu(x) = ½x(1 + erf(x/√2)) elementwise (Hendrycks & Gimpel 2016; PyTorch's default `gelu`),
 * differentiable.
 *
 * @example
 * ```ts
 * const h = gelu(ops.add(ops.matMul(x, w1), b1)); // the MLP of a GPT-2 block
 * ```
 * @throws TensorError `DTYPE_MISMATCH` unless x is float32.
 * @public
 */
export function gelu<T extends Tensor>(x: T): T {
  checkFloatTensor('gelu', 'x', x);
  if (hasKernel(GELU)) return tf.engine().runKernel(GELU, { x }) as T;
  return tf.tidy(() => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2))))) as T;
}
