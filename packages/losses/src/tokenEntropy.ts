/**
 * The entropy of the model's next-token distribution at every position, H = −Σ_v p_v·log p_v,
 * for PPO's entropy bonus (Schulman et al. 2017, eq. 9) and as the statistic TRL logs
 * (`entropy_from_logits`: logsumexp(x) − Σ softmax(x)·x). Computed relative to the row maximum
 * as log s − Σ_v e_v·(x_v − m)/s, with e = exp(x − m) and s = Σ e, so it is exact for logits of
 * any size; the gradient −p⊙(log p + H) is written by hand so no softmax is kept.
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
    const op = ops.customGrad((input: unknown, save: unknown) => {
      const x2d = input as Tensor;
      const max = ops.max(x2d, 1, true); // [N, 1]
      const shifted = ops.sub(x2d, max); // [N, V]
      const exps = ops.exp(shifted);
      const weighted = ops.mul(exps, shifted);
      dispose(shifted);
      const sums = ops.sum(exps, 1); // s
      dispose(exps);
      const weightedSums = ops.sum(weighted, 1);
      dispose(weighted);
      const entropy = ops.sub(ops.log(sums), ops.div(weightedSums, sums));
      (save as (tensors: Tensor[]) => void)([x2d, max, sums, entropy]);
      return { value: entropy, gradFunc: (dy: Tensor, saved: Tensor[]) => backward(dy, saved) };
    });
    const entropy = op(ops.reshape(x, [rows, vocab]));
    finiteRows(FN, 'logits', x, entropy.dataSync());
    return ops.reshape(entropy, x.shape.slice(0, -1));
  });
}

/** dH/dx_v = −p_v·(log p_v + H) = −(e_v/s)·((x_v − m) − log s + H). */
function backward(dy: Tensor, saved: Tensor[]): Tensor {
  const [x2d, max, sums, entropy] = saved as [Tensor, Tensor, Tensor, Tensor];
  const [n] = x2d.shape as [number, number];
  const offset = ops.reshape(ops.sub(entropy, ops.log(sums)), [n, 1]);
  const scale = ops.reshape(ops.div(ops.neg(dy), sums), [n, 1]);
  const shifted = ops.sub(x2d, max);
  const exps = ops.exp(shifted);
  const centred = ops.add(shifted, offset);
  dispose(shifted);
  const product = ops.mul(exps, centred);
  dispose([exps, centred]);
  const out = ops.mul(product, scale);
  dispose(product);
  return out;
}
