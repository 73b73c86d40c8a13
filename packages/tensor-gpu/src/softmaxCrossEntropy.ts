/**
 * Per-position cross-entropy of logits against integer labels, with the log-sum-exp and Σ log p
 * of each position beside it (what label smoothing and z-loss are made of). One fused kernel per
 * direction on the cpu and wasm backends (see `kernels/softmaxCrossEntropy.ts`); elsewhere, or
 * with `initCompute({ kernels: 'engine' })`, the same function composed from the engine's
 * operations with the same hand-written gradient, so no backend keeps probabilities between the
 * passes.
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
   * Positions whose label equals this get loss 0 and no gradient from it (padding, prompt
   * tokens).
   * @defaultValue -100 (PyTorch's `ignore_index`)
   */
  readonly ignoreIndex?: number;
}

/** Options of {@link softmaxCrossEntropyParts}. @public */
export interface SoftmaxCrossEntropyPartsOptions extends SoftmaxCrossEntropyOptions {
  /**
   * Also compute Σ_v log softmax(logits)_v at every position, which label smoothing needs (an
   * extra reduction over the vocabulary in the forward pass).
   * @defaultValue false
   */
  readonly logProbSum?: boolean;
}

/** What {@link softmaxCrossEntropyParts} returns; each tensor has the labels' shape. @public */
export interface SoftmaxCrossEntropyParts {
  /** −log softmax(logits)[label]: 0 where the label is `ignoreIndex`. */
  readonly loss: Tensor;
  /** log Σ_v exp(logits_v) at every position, ignored ones included. */
  readonly logSumExp: Tensor;
  /** Σ_v log softmax(logits)_v at every position; present when `logProbSum` was asked for. */
  readonly logProbSum?: Tensor;
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
  const { loss, logSumExp } = parts('softmaxCrossEntropy', logits, labels, options, false);
  logSumExp.dispose();
  return loss;
}

/**
 * {@link softmaxCrossEntropy} with the other per-position numbers of a language-modelling loss:
 * the log-sum-exp (z-loss: z·lse², PaLM §5) and optionally Σ_v log p_v (label smoothing:
 * (1 − ε)·loss − ε·Σ_v log p_v / V). All three are differentiable in the logits, in any
 * combination, through one gradient pass that writes the [..., V] gradient once; a forward and
 * backward hold the logits and that gradient, never the probabilities.
 *
 * @param logits - shape [..., V]
 * @param labels - int32, shape [...], each in [0, V) or `ignoreIndex`
 * @example
 * ```ts
 * const { loss, logSumExp } = softmaxCrossEntropyParts(logits, targets);
 * const total = ops.add(ops.mean(loss), ops.mul(ops.mean(ops.square(logSumExp)), 1e-4));
 * ```
 * @throws TensorError as {@link softmaxCrossEntropy}.
 * @public
 */
export function softmaxCrossEntropyParts(
  logits: Tensor,
  labels: Tensor,
  options: SoftmaxCrossEntropyPartsOptions = {},
): SoftmaxCrossEntropyParts {
  const withSum = options.logProbSum ?? false;
  const result = parts('softmaxCrossEntropyParts', logits, labels, options, withSum);
  if (withSum) return result;
  result.logProbSum.dispose();
  return { loss: result.loss, logSumExp: result.logSumExp };
}

function parts(
  fn: string,
  logits: Tensor,
  labels: Tensor,
  options: SoftmaxCrossEntropyOptions,
  withSum: boolean,
): { loss: Tensor; logSumExp: Tensor; logProbSum: Tensor } {
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
    const [loss, logSumExp, logProbSum, residual] = tf
      .engine()
      .runKernel(
        SOFTMAX_CROSS_ENTROPY,
        { logits, labels },
        { ignoreIndex, logProbSum: withSum },
      ) as Tensor[];
    residual!.dispose(); // saved for the backward pass where a gradient is recorded
    return { loss: loss!, logSumExp: logSumExp!, logProbSum: logProbSum! };
  }
  return composed(logits, labels, ignoreIndex, withSum);
}

/**
 * The engine's composition, with the kernel's gradient (see `kernels/softmaxCrossEntropy.ts`):
 * the forward reduces exp(x − max) and keeps only the logits and lse; the backward forms
 * scale·exp(x − lse) + shift and corrects the N label entries in place of a one-hot. Loss and
 * Σ log p are taken relative to the row maximum, so large logits lose nothing.
 */
function composed(
  logits: Tensor,
  labels: Tensor,
  ignoreIndex: number,
  withSum: boolean,
): { loss: Tensor; logSumExp: Tensor; logProbSum: Tensor } {
  const lead = logits.shape.slice(0, -1);
  const v = logits.shape[logits.rank - 1]!;
  const n = logits.size / v;
  const [pairs, ignored] = tf.tidy(() => {
    const flat = tf.reshape(labels, [n]);
    const skip = tf.equal(flat, ignoreIndex);
    const index = tf.where(skip, tf.zerosLike(flat), flat);
    return [tf.stack([tf.range(0, n, 1, 'int32'), index], 1), skip]; // [row, label]
  });
  const op = tf.customGrad((x: Tensor | tf.GradSaveFunc, save?: Tensor | tf.GradSaveFunc) => {
    const x2d = x as Tensor;
    const max = tf.max(x2d, 1, true);
    const shifted = tf.sub(x2d, max); // [N, V]
    const exps = tf.exp(shifted); // [N, V]
    const logSum = tf.log(tf.sum(exps, 1));
    tf.dispose(exps);
    const rowSum = withSum ? tf.sum(shifted, 1) : undefined;
    const picked = tf.gatherND(shifted, pairs); // x_y − max
    tf.dispose(shifted);
    const nll = tf.sub(logSum, picked);
    const loss = tf.where(ignored, tf.zerosLike(nll), nll);
    // lse = m + log Σ exp(x − m), rounded, and its rounding residual (Knuth's two-sum)
    const m = tf.reshape(max, [n]);
    const lse = tf.add(m, logSum);
    const back = tf.sub(lse, m);
    const residual = tf.add(tf.sub(m, tf.sub(lse, back)), tf.sub(logSum, back));
    const sum = rowSum === undefined ? tf.zerosLike(lse) : tf.sub(rowSum, tf.mul(logSum, v));
    (save as tf.GradSaveFunc)([x2d, lse, residual, pairs, ignored]);
    return {
      value: tf.stack([loss, lse, sum], 1),
      gradFunc: (dy: Tensor, saved: Tensor[]) => composedGrad(dy, saved),
    };
  });
  const packed = op(tf.reshape(logits, [n, v]));
  tf.dispose([pairs, ignored]);
  const [loss, logSumExp, logProbSum] = tf.unstack(packed, 1).map((t) => {
    const shaped = tf.reshape(t, lead);
    t.dispose();
    return shaped;
  });
  packed.dispose();
  return { loss: loss!, logSumExp: logSumExp!, logProbSum: logProbSum! };
}

/**
 * The kernel's backward in engine operations, p = exp(x − lse)·exp(−residual); at most two
 * [N, V] tensors beside the logits.
 */
function composedGrad(dy: Tensor, saved: Tensor[]): Tensor {
  const [x2d, lse, residual, pairs, ignored] = saved as Tensor[] as [
    Tensor,
    Tensor,
    Tensor,
    Tensor,
    Tensor,
  ];
  const [n, v] = x2d.shape as [number, number];
  const [kept, scale, shift] = tf.tidy(() => {
    const [dloss, dlse, dsum] = tf.unstack(dy, 1) as [Tensor, Tensor, Tensor];
    const masked = tf.where(ignored, tf.zerosLike(dloss), dloss);
    const a = tf.mul(tf.sub(tf.add(masked, dlse), tf.mul(dsum, v)), tf.exp(tf.neg(residual)));
    return [masked, tf.reshape(a, [n, 1]), tf.reshape(dsum, [n, 1])];
  });
  const centred = tf.sub(x2d, tf.reshape(lse, [n, 1]));
  const probs = tf.exp(centred);
  tf.dispose(centred);
  const scaled = tf.mul(probs, scale!);
  tf.dispose(probs);
  const dense = tf.add(scaled, shift!);
  tf.dispose(scaled);
  const entries = tf.tidy(() => tf.sub(tf.gatherND(dense, pairs), kept!));
  const grad = tf.tensorScatterUpdate(dense, pairs, entries);
  tf.dispose([dense, entries, kept!, scale!, shift!]);
  return grad;
}
