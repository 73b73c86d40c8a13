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
 * forward works through blocks of rows (about 32 MiB each) and keeps only x (shared, not
 * copied); the backward recomputes the softmax, scales it, and adds the one-hot term by
 * overwriting N entries (`tensorScatterUpdate`) rather than building a dense one-hot. So the
 * forward needs one block beside x, and the backward at most two [N, V] tensors beside x (one
 * kernel's input and its output, the last of them the gradient). The cpu backend's softmax kernel
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
  const op = ops.customGrad((input: unknown, save: unknown) => {
    const logits = input as Tensor;
    const { logTop, xTop, picked, sumShifted } = forwardRows(logits, pairs, options.sumLogProbs);
    const logProb = ops.add(ops.sub(picked, xTop), logTop);
    const lse = ops.sub(xTop, logTop);
    const sumLogProbs =
      sumShifted === undefined ? ops.zeros([n]) : ops.add(sumShifted, ops.mul(logTop, v));
    (save as (tensors: Tensor[]) => void)([logits, indexPairs]);
    return {
      value: ops.stack([logProb, lse, sumLogProbs], 1),
      gradFunc: (dy: Tensor, saved: Tensor[]) => backward(dy, saved, options.sumLogProbs),
    };
  });
  const parts = op(x);
  dispose(indexPairs);
  return parts;
}

/** Rows per forward block: about 32 MiB of float32 at a time. */
const BLOCK_ELEMENTS = 1 << 23;

/**
 * log p(a), x[n, a] and x[n, t_n] per row (and Σ_v (x[n, v] − x[n, a]) when asked), computed
 * in blocks of rows so the forward pass never holds more than one block's softmax: a forward-only
 * use (reference log-probs) needs no [N, V] buffer beside the logits at all.
 */
function forwardRows(
  logits: Tensor,
  pairs: Int32Array,
  withSum: boolean,
): { logTop: Tensor; xTop: Tensor; picked: Tensor; sumShifted: Tensor | undefined } {
  const [n, v] = logits.shape as [number, number];
  const blockRows = Math.max(1, Math.floor(BLOCK_ELEMENTS / v));
  const parts: Tensor[][] = [[], [], [], []];
  for (let start = 0; start < n; start += blockRows) {
    const size = Math.min(blockRows, n - start);
    const local = pairs
      .slice(2 * start, 2 * (start + size))
      .map((value, k) => (k % 2 === 0 ? value - start : value));
    const targetPairs = ops.tensor2d(local, [size, 2], 'int32');
    const block = size === n ? logits : ops.slice(logits, [start, 0], [size, v]);
    const probs = ops.softmax(block);
    const top = ops.argMax(probs, 1);
    const rowIds = ops.range(0, size, 1, 'int32');
    const topPairs = ops.stack([rowIds, top], 1); // [row, argmax]
    const probTop = ops.gatherND(probs, topPairs);
    const xTop = ops.gatherND(block, topPairs);
    parts[0]!.push(ops.log(probTop)); // log p(a) ≥ −log V
    parts[1]!.push(xTop);
    parts[2]!.push(ops.gatherND(block, targetPairs));
    if (withSum) {
      const shifted = ops.sub(block, ops.reshape(xTop, [size, 1]));
      parts[3]!.push(ops.sum(shifted, 1));
      dispose(shifted);
    }
    // Small tensors first, the block's buffers last: wasm's allocator would otherwise split a
    // freed block for the next small request and the next block would need fresh heap.
    dispose([targetPairs, top, rowIds, topPairs, probTop, probs]);
    if (block !== logits) dispose(block);
  }
  const join = (list: Tensor[]): Tensor => (list.length === 1 ? list[0]! : ops.concat(list));
  return {
    logTop: join(parts[0]!),
    xTop: join(parts[1]!),
    picked: join(parts[2]!),
    sumShifted: withSum ? join(parts[3]!) : undefined,
  };
}

function backward(dy: Tensor, saved: Tensor[], withSum: boolean): Tensor {
  const [logits, indexPairs] = saved as [Tensor, Tensor];
  const [n, v] = logits.shape as [number, number];
  const [gLogProb, gLse, gSum] = ops.unstack(dy, 1) as [Tensor, Tensor, Tensor];
  // the coefficient of softmax(x): c = gLse − gLogProb − V·gSum
  const c = ops.sub(ops.sub(gLse, gLogProb), ops.mul(gSum, v));
  const cColumn = ops.reshape(c, [n, 1]);
  const sumColumn = ops.reshape(gSum, [n, 1]);
  const probs = ops.softmax(logits); // [N, V]
  // The target entries end as c·p(t) + gSum + gLogProb: N writes, no dense one-hot. Computed
  // before the [N, V] products so no small allocation lands in a freed [N, V] slot.
  const targetEntries = ops.add(
    ops.add(ops.mul(ops.gatherND(probs, indexPairs), c), gSum),
    gLogProb,
  );
  let grad = ops.mul(probs, cColumn); // [N, V]
  dispose(probs);
  if (withSum) {
    const plusSum = ops.add(grad, sumColumn);
    dispose(grad);
    grad = plusSum;
  }
  const out = ops.tensorScatterUpdate(grad, indexPairs, targetEntries);
  dispose(grad);
  return out;
}
