/**
 * The one place that touches [N, V] logits. Every loss of this package that reads logits
 * (cross-entropy, token and sequence log-probs) is a function of three numbers per row n with
 * target t_n, returned packed as an [N, 3] tensor:
 *
 *   logProb_n    = log p(t_n)  = (x[n, t_n] − m_n) − log s_n
 *   lse_n        = log Σ_v exp x[n, v] = m_n + log s_n
 *   sumLogProbs_n = Σ_v log p(v) = Σ_v (x[n, v] − m_n) − V·log s_n   (only when asked)
 *
 * with m_n = max_v x[n, v] and s_n = Σ_v exp(x[n, v] − m_n), so nothing overflows and the
 * log-probabilities keep full float32 precision even for logits of ±1e4. Everything after this
 * runs on [N]-sized tensors.
 *
 * Memory. The gradient is written by hand (`customGrad`): for upstream g = [gLogProb, gLse,
 * gSum] it is dx = (gLse − gLogProb − V·gSum)·softmax(x) + gSum + gLogProb·onehot(t). The
 * forward keeps only x (shared, not copied), m and s; the backward frees each [N, V]
 * intermediate as soon as the next exists, and adds the one-hot term by overwriting N entries
 * (`tensorScatterUpdate`) rather than building a dense one-hot. At most two [N, V] tensors exist
 * beside x at any moment, in either pass: one elementwise kernel's input and its output. Plain
 * autodiff through `logSoftmax` and a one-hot product keeps several more alive until the
 * backward pass ends.
 */
import { dispose, ops, type Tensor } from '@llmkit/tensor-gpu';

/** Which of the optional columns to compute. */
export interface LogSoftmaxPartsOptions {
  /** Compute Σ_v log p(v) in column 2 (otherwise it is 0 and has no gradient). */
  readonly sumLogProbs: boolean;
}

/**
 * [N, 3] = [logProb, lse, sumLogProbs] for logits `x` [N, V] and targets (N integers in [0, V),
 * already validated). Differentiable with respect to `x`.
 */
export function logSoftmaxParts(
  x: Tensor,
  targets: Int32Array,
  options: LogSoftmaxPartsOptions,
): Tensor {
  const [n, v] = x.shape as [number, number];
  const flat = new Int32Array(n);
  const pairs = new Int32Array(2 * n);
  for (let row = 0; row < n; row++) {
    flat[row] = row * v + targets[row]!;
    pairs[2 * row] = row;
    pairs[2 * row + 1] = targets[row]!;
  }
  const flatIndex = ops.tensor1d(flat, 'int32');
  const indexPairs = ops.tensor2d(pairs, [n, 2], 'int32');
  const op = ops.customGrad((input: unknown, save: unknown) => {
    const logits = input as Tensor;
    const max = ops.max(logits, 1, true); // m, [N, 1]
    const shifted = ops.sub(logits, max); // x − m, [N, V]
    const exps = ops.exp(shifted); // [N, V]
    const sumShifted = options.sumLogProbs ? ops.sum(shifted, 1) : undefined;
    dispose(shifted);
    const sums = ops.sum(exps, 1); // s, [N]
    dispose(exps);
    const logSums = ops.log(sums);
    const m = ops.reshape(max, [n]);
    const picked = ops.gather(ops.reshape(logits, [n * v]), flatIndex);
    const logProb = ops.sub(ops.sub(picked, m), logSums);
    const lse = ops.add(m, logSums);
    const sumLogProbs =
      sumShifted === undefined ? ops.zeros([n]) : ops.sub(sumShifted, ops.mul(logSums, v));
    (save as (tensors: Tensor[]) => void)([logits, max, sums, indexPairs]);
    return {
      value: ops.stack([logProb, lse, sumLogProbs], 1),
      gradFunc: (dy: Tensor, saved: Tensor[]) => backward(dy, saved, options.sumLogProbs),
    };
  });
  const parts = op(x);
  dispose([flatIndex, indexPairs]);
  return parts;
}

function backward(dy: Tensor, saved: Tensor[], withSum: boolean): Tensor {
  const [logits, max, sums, indexPairs] = saved as [Tensor, Tensor, Tensor, Tensor];
  const [n, v] = logits.shape as [number, number];
  const [gLogProb, gLse, gSum] = ops.unstack(dy, 1) as [Tensor, Tensor, Tensor];
  // softmax(x)·c = exp(x − m)·(c / s), with c = gLse − gLogProb − V·gSum.
  const c = ops.sub(ops.sub(gLse, gLogProb), ops.mul(gSum, v));
  const scale = ops.reshape(ops.div(c, sums), [n, 1]);
  const shifted = ops.sub(logits, max); // [N, V]
  const exps = ops.exp(shifted); // [N, V]
  dispose(shifted);
  let grad = ops.mul(exps, scale); // [N, V]
  dispose(exps);
  if (withSum) {
    const plusSum = ops.add(grad, ops.reshape(gSum, [n, 1]));
    dispose(grad);
    grad = plusSum;
  }
  // The target entries get gLogProb on top of what they hold: N writes, no dense one-hot.
  const targetEntries = ops.add(ops.gatherND(grad, indexPairs), gLogProb);
  const out = ops.tensorScatterUpdate(grad, indexPairs, targetEntries);
  dispose(grad);
  return out;
}
