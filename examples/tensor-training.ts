/**
 * A tour of @llmkit/tensor-gpu in a few seconds: start the fastest backend, fit a small MLP with
 * AdamW (warmup + cosine schedule, gradient clipping, two micro-batches per step), count its
 * FLOPs and model FLOP utilisation, then checkpoint weights and optimizer state to safetensors
 * and resume from them.
 *
 * Run: node --conditions=@llmkit/source --import tsx examples/tensor-training.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Random } from '@llmkit/numeric';
import {
  AdamW,
  clipGradNorm,
  countMatmulFlops,
  decodeOptimizerState,
  dispose,
  encodeOptimizerState,
  GradientAccumulator,
  initCompute,
  leakCheck,
  measurePeakFlops,
  mfu,
  type NamedVariables,
  ops,
  parameterGrads,
  type Scalar,
  scope,
  type Tensor,
  warmupCosineSchedule,
} from '@llmkit/tensor-gpu';
import {
  loadSafetensorsFile,
  openSafetensorsFile,
  saveSafetensorsFile,
  writeSafetensorsFile,
} from '@llmkit/tensor-gpu/node';

const info = await initCompute();
console.log(`backend ${info.backend} on ${info.device}, ${info.threads} thread(s)`);
for (const f of info.fallbacks) console.log(`  passed over ${f.backend}: ${f.reason}`);

// Data: y = sin(3·x₀) + x₁², 512 points, seeded.
const rng = new Random(7);
const xs = Float32Array.from({ length: 1024 }, () => rng.uniform() * 2 - 1);
const ys = Float32Array.from(
  { length: 512 },
  (_, i) => Math.sin(3 * xs[2 * i]!) + xs[2 * i + 1]! ** 2,
);
const x = ops.tensor(xs, [512, 2]);
const y = ops.tensor(ys, [512, 1]);

// Parameters with Hugging Face style names; the bias is excluded from weight decay by default.
const init = (shape: number[], seed: number) =>
  ops.variable(ops.randomNormal(shape, 0, 0.5, 'float32', seed));
const params: NamedVariables = scope(() => ({
  'fc1.weight': init([2, 64], 1),
  'fc1.bias': ops.variable(ops.zeros([64])),
  'fc2.weight': init([64, 1], 2),
}));
const forward = (input: Tensor): Tensor =>
  ops.matMul(
    ops.tanh(ops.add(ops.matMul(input, params['fc1.weight']!), params['fc1.bias']!)),
    params['fc2.weight']!,
  );
const lossOn = (rows: Tensor, targets: Tensor) => () =>
  ops.mean(ops.square(ops.sub(forward(rows), targets))) as Scalar;

const steps = 300;
const optimizer = new AdamW(params, {
  learningRate: warmupCosineSchedule({
    peakLearningRate: 0.03,
    warmupSteps: 20,
    totalSteps: steps,
    minLearningRate: 0.003,
  }),
  weightDecay: 0.01,
});
console.log('decay groups:', JSON.stringify(optimizer.decayGroups));

const halves = [ops.slice(x, [0, 0], [256, 2]), ops.slice(x, [256, 0], [256, 2])];
const targets = [ops.slice(y, [0, 0], [256, 1]), ops.slice(y, [256, 0], [256, 1])];
const accumulator = new GradientAccumulator();
const trainStep = (): number =>
  scope(() => {
    let loss = 0;
    for (let i = 0; i < 2; i++) {
      const { value, grads } = parameterGrads(lossOn(halves[i]!, targets[i]!), params);
      loss += value.dataSync()[0]! / 2;
      accumulator.add(grads, 256); // weight = examples in this micro-batch
    }
    const { gradients } = clipGradNorm(accumulator.mean(), 1.0);
    accumulator.reset();
    optimizer.step(gradients);
    return loss;
  });

const start = performance.now();
for (let step = 0; step < steps; step++) {
  const loss = leakCheck(trainStep, {
    allowTensors: step === 0 ? 6 : 0,
    allowBytes: step === 0 ? 1e6 : 0,
  });
  if (step % 60 === 0 || step === steps - 1)
    console.log(
      `step ${step}: loss ${loss.toFixed(4)}, lr ${optimizer.nextLearningRate().toFixed(4)}`,
    );
}
const seconds = (performance.now() - start) / 1000;

// FLOPs of one step (every matmul, backward included) and utilisation of this backend's peak.
const { flops } = await countMatmulFlops(() => {
  trainStep();
});
await measurePeakFlops({ maxSize: 512, budgetMs: 100 });
console.log(
  `${(flops / 1e6).toFixed(2)} MFLOP per step; MFU ${(100 * mfu({ flops: flops * steps, seconds })).toFixed(2)}% (tiny matrices)`,
);

// Checkpoint and resume: weights in BF16, optimizer state in F32, written atomically.
const dir = mkdtempSync(join(tmpdir(), 'llmkit-example-'));
await saveSafetensorsFile(join(dir, 'model.safetensors'), params, {
  floatDtype: 'BF16',
  metadata: { format: 'pt' },
});
const encoded = encodeOptimizerState(await optimizer.state());
await writeSafetensorsFile(join(dir, 'optimizer.safetensors'), encoded.entries, {
  metadata: encoded.metadata,
});
const reloaded = await loadSafetensorsFile(join(dir, 'model.safetensors'));
const reader = await openSafetensorsFile(join(dir, 'optimizer.safetensors'));
const stored = new Map(
  await Promise.all(
    reader.header.tensors.map(async (t) => [t.name, await reader.read(t.name)] as const),
  ),
);
const resumed = new AdamW(params, { learningRate: 0.003 });
resumed.loadState(decodeOptimizerState(stored, reader.header.metadata));
await reader.close();
console.log(
  `checkpoint: ${Object.keys(reloaded.tensors).length} tensors (bf16), optimizer at step ${resumed.stepCount}`,
);

rmSync(dir, { recursive: true, force: true });
dispose([x, y, halves, targets, reloaded.tensors, params]);
optimizer.dispose();
resumed.dispose();
