/**
 * Train a tiny character-level transformer on a short text for a few seconds, sample from it,
 * and score multiple-choice questions with it through @llmkit/eval-metrics — the
 * `loglikelihood(context, continuation)` callback that lm-evaluation-harness-style tasks need.
 *
 * Run: node --conditions=@llmkit/source --import tsx examples/train-tiny-transformer.ts
 */
import { evaluateMultipleChoice } from '@llmkit/eval-metrics';
import { AdamW, initCompute, warmupCosineSchedule } from '@llmkit/tensor-gpu';
import {
  continuationLogProbs,
  TokenBatches,
  type TrainStepResult,
  Transformer,
  trainStep,
} from '@llmkit/transformer';

const text = `It was the best of times, it was the worst of times, it was the age of wisdom, it was the
age of foolishness, it was the epoch of belief, it was the epoch of incredulity, it was the season
of light, it was the season of darkness, it was the spring of hope, it was the winter of despair.`;

// 1. A character tokenizer: one id per distinct character.
const alphabet = [...new Set(text)].sort();
const encode = (s: string): number[] => [...s].map((c) => alphabet.indexOf(c));
const decode = (ids: readonly number[]): string => ids.map((id) => alphabet[id]).join('');

// 2. A tiny GPT: 2 blocks of width 64, 4 heads, context 64, on the wasm backend (XNNPACK), the
//    fastest engine for a model this small on a CPU.
const info = await initCompute({ backend: 'wasm' });
const model = new Transformer(
  { vocabSize: alphabet.length, contextLength: 64, layers: 2, width: 64, heads: 4 },
  { seed: 1 },
);
console.log(`${info.backend} backend, ${model.numParams().toLocaleString('en')} parameters`);

// 3. Train for about five seconds on random 32-character windows.
const steps = 400;
const optimizer = new AdamW(model.parameters(), {
  learningRate: warmupCosineSchedule({
    peakLearningRate: 1e-2,
    warmupSteps: 20,
    totalSteps: steps,
  }),
  weightDecay: 0.01,
});
const data = new TokenBatches(encode(text), { batchSize: 4, sequenceLength: 32, seed: 2 });
const started = performance.now();
let last: TrainStepResult | undefined;
while ((last?.step ?? 0) < steps && performance.now() - started < 5000) {
  last = await trainStep(model, optimizer, data.next(), { previous: last });
  if (last.step % 20 === 1) {
    console.log(
      `step ${last.step}: loss ${last.loss.toFixed(3)}, ${Math.round(last.tokensPerSecond)} tokens/s`,
    );
  }
}
console.log(
  `step ${last?.step}: loss ${last?.loss.toFixed(3)} (ln V = ${Math.log(alphabet.length).toFixed(3)})`,
);

// 4. Sample a continuation, streamed token by token.
const prompt = encode('it was the ');
const sampled: number[] = [];
for await (const token of model.generate(prompt, {
  maxNewTokens: 48,
  temperature: 0.7,
  topK: 10,
  seed: 3,
})) {
  sampled.push(token);
}
console.log(`sample: ${JSON.stringify(decode([...prompt, ...sampled]))}`);

// 5. Multiple choice: eval-metrics asks for log p(continuation | context); the model answers.
const items = [
  { id: 'q1', context: 'it was the best of', choices: ['times', 'wisdom'], gold: 0 },
  { id: 'q2', context: 'it was the spring of', choices: ['despair', 'hope'], gold: 1 },
  { id: 'q3', context: 'it was the season of', choices: ['light', 'belief'], gold: 0 },
];
const loglikelihood = async (context: string, continuation: string): Promise<number> => {
  const [score] = await continuationLogProbs(model, [
    { context: encode(context), continuation: encode(continuation) },
  ]);
  return score!.logProb;
};
const result = await evaluateMultipleChoice(items, loglikelihood);
console.log(
  `multiple choice: acc ${result.micro.acc.mean.toFixed(2)} over ${result.micro.items} items`,
);

optimizer.dispose();
model.dispose();
