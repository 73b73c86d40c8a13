/**
 * The one place that touches [N, V] logits. Every loss of this package that reads logits
 * (cross-entropy, token and sequence log-probs) is a function of three numbers per row n with
 * target t_n, returned packed as an [N, 3] tensor:
 *
 *   logProb_n     = log p(t_n)                = (x[n, t_n] − x[n, a]) + log p(a)
 *   lse_n         = log Σ_v exp x[n, v]       = x[n, a] − log p(a)
 *   sumLogProbs_n = Σ_v log p(v)              = Σ_v (x[n, v] − x[n, a]) + V·log p(a)   (if asked)
 *
 * where p = softmax(x) and a = argmax_v p: the identities hold for any column a, and the most
 * probable one has p(a) ≥ 1/V, so its log is exact in float32 and nothing under- or overflows
 * even for logits of ±1e4. The softmax is the engine's fused kernel (one vectorised pass on
 * wasm, where elementwise `exp` and `log` run an order of magnitude slower). Everything after
 * this runs on [N]-sized tensors.
 *
 * Memory. The gradient is written by hand (`customGrad`): for upstream g = [gLogProb, gLse,
 * gSum] it is dx = (gLse − gLogProb − V·gSum)·softmax(x) + gSum + gLogProb·onehot(t). The
 * forward keeps only x (shared, not copied) and frees the softmax before returning; the
 * backward recomputes the softmax, scales it, and adds the one-hot term by overwriting N entries
 * (`tensorScatterUpdate`) rather than building a dense one-hot. At most two [N, V] tensors exist
 * beside x at any moment (one kernel's input and its output). The cpu backend's softmax kernel
 * holds two more temporaries while it runs, which the engine's byte count does not see. Plain
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
  const pairs = new Int32Array(2 * n);
  for (let row = 0; row < n; row++) {
    pairs[2 * row] = row;
    pairs[2 * row + 1] = targets[row]!;
  }
  const indexPairs = ops.tensor2d(pairs, [n, 2], 'int32'); // [row, target]
  const rows = ops.range(0, n, 1, 'int32');
  const op = ops.customGrad((input: unknown, save: unknown) => {
    const logits = input as Tensor;
    const probs = ops.softmax(logits); // [N, V]
    const topPairs = ops.stack([rows, ops.argMax(probs, 1)], 1); // [row, argmax]
    const logTop = ops.log(ops.gatherND(probs, topPairs)); // log p(a) ≥ −log V
    dispose(probs);
    const xTop = ops.gatherND(logits, topPairs);
    const logProb = ops.add(ops.sub(ops.gatherND(logits, indexPairs), xTop), logTop);
    const lse = ops.sub(xTop, logTop);
    let sumLogProbs: Tensor;
    if (options.sumLogProbs) {
      const shifted = ops.sub(logits, ops.reshape(xTop, [n, 1])); // [N, V]
      sumLogProbs = ops.add(ops.sum(shifted, 1), ops.mul(logTop, v));
      dispose(shifted);
    } else {
      sumLogProbs = ops.zeros([n]);
    }
    (save as (tensors: Tensor[]) => void)([logits, indexPairs]);
    return {
      value: ops.stack([logProb, lse, sumLogProbs], 1),
      gradFunc: (dy: Tensor, saved: Tensor[]) => backward(dy, saved, options.sumLogProbs),
    };
  });
  const parts = op(x);
  dispose([indexPairs, rows]);
  return parts;
}

function backward(dy: Tensor, saved: Tensor[], withSum: boolean): Tensor {
  const [logits, indexPairs] = saved as [Tensor, Tensor];
  const [n, v] = logits.shape as [number, number];
  const [gLogProb, gLse, gSum] = ops.unstack(dy, 1) as [Tensor, Tensor, Tensor];
  // the coefficient of softmax(x): c = gLse − gLogProb − V·gSum
  const c = ops.reshape(ops.sub(ops.sub(gLse, gLogProb), ops.mul(gSum, v)), [n, 1]);
  const probs = ops.softmax(logits); // [N, V]
  let grad = ops.mul(probs, c); // [N, V]
  dispose(probs);
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
