/**
 * The losses of @llmkit/losses on the smallest language model there is, in a few seconds: a
 * bigram table (logits for the next token = one row per current token). First supervised
 * fine-tuning with cross-entropy on a repeating sentence, then DPO against a frozen copy of the
 * SFT model, preferring one completion of a prompt over another.
 *
 * Run: node --conditions=@llmkit/source --import tsx examples/bigram-sft-then-dpo.ts
 */
import { crossEntropy, dpoLoss, sequenceLogProbs } from '@llmkit/losses';
import { dispose, initCompute, ops, scope, type Tensor } from '@llmkit/tensor-gpu';

const info = await initCompute({ backend: 'wasm' });
const V = 8; // token ids 0..7
const table = ops.variable(ops.zeros([V, V])); // logits[next | current]

/** Logits [B, T, V] of the bigram model for token ids [B, T]. */
const forward = (weights: Tensor, ids: Tensor): Tensor => ops.gather(weights, ids);

/** One plain gradient step on the table. */
function step(loss: (weights: Tensor) => Tensor, learningRate: number): number {
  return scope(() => {
    const { value, grads } = ops.valueAndGrads(loss)([table]);
    table.assign(ops.sub(table, ops.mul(grads[0]!, learningRate)));
    return value.dataSync()[0]!;
  });
}

// 1. SFT: learn "1 2 3 4 5 6 7 1 2 …"; the target of each position is the next token.
const sentence = Array.from({ length: 33 }, (_, i) => (i % 7) + 1);
const inputs = ops.tensor2d([sentence.slice(0, -1)], [1, 32], 'int32');
const targets = ops.tensor2d([sentence.slice(1)], [1, 32], 'int32');
for (let epoch = 0; epoch <= 60; epoch++) {
  const loss = step(
    (w) => crossEntropy(forward(w, inputs), targets, { labelSmoothing: 0.05 }).loss,
    2,
  );
  if (epoch % 20 === 0) console.log(`SFT epoch ${epoch}: cross-entropy ${loss.toFixed(4)}`);
}

// 2. DPO: prompt "1 2", chosen completion "3 4", rejected "3 0". The reference is the SFT model.
const reference = ops.clone(table);
const chosen = ops.tensor2d([[1, 2, 3, 4]], [1, 4], 'int32');
const rejected = ops.tensor2d([[1, 2, 3, 0]], [1, 4], 'int32');
const completion = ops.tensor2d([[0, 0, 1, 1]], [1, 4], 'bool'); // the last two tokens
const logps = (weights: Tensor, ids: Tensor): Tensor =>
  sequenceLogProbs(forward(weights, ids), ids, completion);
const referenceChosenLogps = logps(reference, chosen);
const referenceRejectedLogps = logps(reference, rejected);
const dpo = (weights: Tensor) =>
  dpoLoss(
    {
      policyChosenLogps: logps(weights, chosen),
      policyRejectedLogps: logps(weights, rejected),
      referenceChosenLogps,
      referenceRejectedLogps,
    },
    { beta: 0.5 },
  );
for (let stepIndex = 0; stepIndex <= 30; stepIndex++) {
  const loss = step((w) => dpo(w).loss, 1);
  if (stepIndex % 10 === 0) {
    const margin = scope(() => dpo(table).margins.dataSync()[0]!);
    console.log(
      `DPO step ${stepIndex}: loss ${loss.toFixed(4)} (log 2 = 0.6931 at the start), margin ${margin.toFixed(3)}`,
    );
  }
}
console.log(`backend: ${info.backend}`);
dispose([
  table,
  reference,
  inputs,
  targets,
  chosen,
  rejected,
  completion,
  referenceChosenLogps,
  referenceRejectedLogps,
]);
