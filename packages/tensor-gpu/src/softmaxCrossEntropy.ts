/**
 * Per-position cross-entropy of logits against integer labels, as one fused kernel per direction
 * on the cpu and wasm backends (see `kernels/softmaxCrossEntropy.ts`); elsewhere, or with
 * `initCompute({ kernels: 'engine' })`, the same function composed from the engine's operations.
 */

import { TensorError } from './errors.js';
import { check } from './internal/check.js';
import { tf } from './internal/engine.js';
import { hasKernel } from './internal/kernels.js';
import { checkFloatTensor, checkShape } from './internal/tensorChecks.js';
import { SOFTMAX_CROSS_ENTROPY } from './kernels/softmaxCrossEntropy.js';
import type { Tensor } from './tensor.js';

/** Options of {@link softmaxCrossEntropy}. @public */
export interface SoftmaxCrossEntropyOptions {
  /**
   * Positions whose label equals this get loss 0 and no gradient (padding, prompt tokens).
   * @defaultValue -100 (PyTorch's `ignore_index`)
   */
  readonly ignoreIndex?: number;
}

/**
 * −log softmax(logits)[label] at every position: the negative log-likelihood of each label
 * (PyTorch's `cross_entropy(reduction='none')`). Average with `ops.mean` (or divide the sum by the
 * count of labels that are not ignored) for the usual scalar loss. Differentiable in the logits.
 *
 * @param logits - shape [..., V]
 * @param labels - int32, shape [...] (the logits' shape without V), each in [0, V) or `ignoreIndex`
 * @returns float32 losses, shape [...]
 * @example
 * ```ts
 * const losses = softmaxCrossEntropy(logits, targets); // [B, T]
 * const loss = ops.mean(losses);
 * ```
 * @throws TensorError `DTYPE_MISMATCH` unless logits are float32 and labels int32;
 *   `SHAPE_MISMATCH` when the shapes do not fit; `INVALID_ARGUMENT` for a label outside [0, V)
 *   that is not ignored (checked by the fused kernel, on cpu and wasm).
 * @public
 */
export function softmaxCrossEntropy(
  logits: Tensor,
  labels: Tensor,
  options: SoftmaxCrossEntropyOptions = {},
): Tensor {
  const fn = 'softmaxCrossEntropy';
  checkFloatTensor(fn, 'logits', logits, 1);
  if (!(labels instanceof tf.Tensor) || labels.dtype !== 'int32') {
    throw new TensorError({
      code: 'DTYPE_MISMATCH',
      fn,
      argument: 'labels',
      detail: `expected an int32 tensor of class indices, received ${labels instanceof tf.Tensor ? labels.dtype : typeof labels}.`,
    });
  }
  checkShape(fn, 'labels', labels, logits.shape.slice(0, -1));
  const ignoreIndex = check.integer(fn, 'options.ignoreIndex', options.ignoreIndex ?? -100);
  if (hasKernel(SOFTMAX_CROSS_ENTROPY)) {
    const [loss, lse] = tf
      .engine()
      .runKernel(SOFTMAX_CROSS_ENTROPY, { logits, labels }, { ignoreIndex }) as Tensor[];
    lse!.dispose();
    return loss!;
  }
  return tf.tidy(() => {
    const v = logits.shape[logits.rank - 1]!;
    const kept = tf.notEqual(labels, ignoreIndex);
    const index = tf.where(kept, labels, tf.zerosLike(labels));
    const picked = tf.sum(tf.mul(tf.logSoftmax(logits), tf.oneHot(index, v)), -1);
    return tf.where(kept, tf.neg(picked), tf.zerosLike(picked));
  });
}
