/**
 * Mean token cross-entropy −log softmax(logits)[target] over positions whose target is not the
 * ignore index (−100, PyTorch's convention), with the result shape of `@llmkit/losses`'
 * `crossEntropy`.
 */
import { ops, scope, type Tensor } from '@llmkit/tensor-gpu';

export interface CrossEntropyResult {
  readonly loss: Tensor;
  readonly tokenCount: number;
}

/** logits [B, T, V], targets int32 [B, T]. */
export function crossEntropy(logits: Tensor, targets: Tensor): CrossEntropyResult {
  const vocab = logits.shape[logits.rank - 1]!;
  const rows = logits.size / vocab;
  const target = targets.dataSync();
  const picked = new Int32Array(rows);
  const weights = new Float32Array(rows);
  let count = 0;
  for (let n = 0; n < rows; n++) {
    const t = target[n]!;
    if (t === -100) continue;
    picked[n] = n * vocab + t;
    weights[n] = 1;
    count++;
  }
  const loss = scope(() => {
    const logProbs = ops.reshape(ops.logSoftmax(ops.reshape(logits, [rows, vocab])), [
      rows * vocab,
    ]);
    const chosen = ops.gather(logProbs, ops.tensor1d(picked, 'int32'));
    return ops.div(ops.neg(ops.sum(ops.mul(chosen, ops.tensor1d(weights)))), Math.max(count, 1));
  });
  return { loss, tokenCount: count };
}
