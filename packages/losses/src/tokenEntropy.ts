/**
 * The entropy of the model's next-token distribution at every position, H = −Σ_v p_v·log p_v,
 * for PPO's entropy bonus (Schulman et al. 2017, eq. 9) and as the statistic TRL logs
 * (`entropy_from_logits`: logsumexp(x) − Σ softmax(x)·x). Computed from the engine's fused
 * softmax p relative to the most probable class a, H = −log p(a) − Σ_v p_v·(x_v − x_a), so it is
 * exact for logits of any size; the gradient −p⊙(log p + H) is written by hand so no softmax is
 * kept between the passes.
 */
import { dispose, ops, scope, type Tensor } from '@llmkit/tensor-gpu';
import { finiteRows } from './internal/check.js';
import { logitsArg } from './internal/targets.js';

const FN = 'tokenEntropy';

/**
 * Per-position entropy (in nats) of softmax(logits) over the last axis. Differentiable with
 * respect to `logits`; an entropy bonus is `−coef·maskedMean(tokenEntropy(logits), mask)`.
 * At most three [N, V] tensors exist beside the logits at once.
 * @param logits - float32 [B, T, V] (or [N, V])
 * @returns float32 [B, T] (or [N])
 * @example
 * ```ts
 * const bonus = ops.mul(maskedMean(tokenEntropy(logits), mask), -0.01);
 * ```
 * @throws LossError `NON_FINITE` for NaN or +∞ logits.
 * @public
 */
export function tokenEntropy(logits: Tensor): Tensor {
  const x = logitsArg(FN, logits);
  const vocab = x.shape[x.rank - 1]!;
  const rows = x.size / vocab;
  return scope(() => {
    const indices = ops.range(0, rows, 1, 'int32');
    const op = ops.customGrad((input: unknown, save: unknown) => {
      const x2d = input as Tensor;
      const probs = ops.softmax(x2d); // [N, V]
      const topPairs = ops.stack([indices, ops.argMax(probs, 1)], 1);
      const logTop = ops.log(ops.gatherND(probs, topPairs)); // log p(a)
      const xTop = ops.gatherND(x2d, topPairs);
      const shifted = ops.sub(x2d, ops.reshape(xTop, [rows, 1])); // x − x_a
      const weighted = ops.mul(probs, shifted);
      dispose([probs, shifted]);
      const entropy = ops.sub(ops.neg(logTop), ops.sum(weighted, 1));
      dispose(weighted);
      // log p_v + H = x_v − (x_a − log p(a) − H)
      (save as (tensors: Tensor[]) => void)([x2d, ops.sub(ops.sub(xTop, logTop), entropy)]);
      return { value: entropy, gradFunc: (dy: Tensor, saved: Tensor[]) => backward(dy, saved) };
    });
    const entropy = op(ops.reshape(x, [rows, vocab]));
    finiteRows(FN, 'logits', x, entropy);
    return ops.reshape(entropy, x.shape.slice(0, -1));
  });
}

/** dH/dx_v = −p_v·(log p_v + H) = −p_v·(x_v − offset), offset = x_a − log p(a) − H. */
function backward(dy: Tensor, saved: Tensor[]): Tensor {
  const [x2d, offset] = saved as [Tensor, Tensor];
  const [n] = x2d.shape as [number, number];
  const probs = ops.softmax(x2d);
  const centred = ops.sub(x2d, ops.reshape(offset, [n, 1]));
  const product = ops.mul(probs, centred);
  dispose([probs, centred]);
  const out = ops.mul(product, ops.reshape(ops.neg(dy), [n, 1]));
  dispose(product);
  return out;
}
