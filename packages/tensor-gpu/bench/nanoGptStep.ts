/**
 * One training step (forward, backward, AdamW) of a nanoGPT-shaped model — 4 layers, C = 128,
 * 4 heads, T = 128, batch 16, vocabulary 65 (nanoGPT's shakespeare_char) — on tfjs's wasm
 * backend as plain tfjs runs it (`kernels: 'engine'`: tfjs's own kernels, the fused operations
 * composed from engine primitives) and with llmkit's kernels (`kernels: 'fast'`: onnxruntime-node
 * matrix products and fused kernels), alternating step by step on two identical models fed the
 * same batches, so their losses can be compared step for step. ONNX Runtime runs on one thread.
 * Then PyTorch (Debian's python3-torch, one thread) runs the same model in the same invocation
 * if `/usr/bin/python3` has torch.
 *
 * Run: npm run bench:step -w @llmkit/tensor-gpu [-- --steps 8 --vocab 65]
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { AdamW, initCompute, ops, scope } from '@llmkit/tensor-gpu';
import { createGpt, type Gpt, type GptConfig, lossAndGradients, randomBatch } from './nanoGpt.js';
import { markdownTable, medianSample, type Sample, time } from './timing.js';

const args = process.argv.slice(2);
const arg = (name: string, fallback: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const STEPS = arg('steps', 8);
const BATCH = 16;
const config: GptConfig = {
  vocabSize: arg('vocab', 65),
  blockSize: 128,
  layers: 4,
  heads: 4,
  embed: 128,
};

type Mode = 'engine' | 'fast';
const modes: Mode[] = ['engine', 'fast'];

await initCompute({ backend: 'wasm', threads: 1 });
const models = Object.fromEntries(modes.map((m) => [m, createGpt(config, 1, m)])) as Record<
  Mode,
  Gpt
>;
const optimizers = Object.fromEntries(
  modes.map((m) => [
    m,
    new AdamW(models[m].parameters, { learningRate: 1e-3, weightDecay: 0.1, beta2: 0.95 }),
  ]),
) as Record<Mode, AdamW>;

function trainStep(mode: Mode, seed: number): { loss: number; sample: Sample } {
  let loss = 0;
  const sample = time(() => {
    loss = scope(() => {
      const { ids, targets } = randomBatch(config, BATCH, seed);
      const { loss: value, grads } = lossAndGradients(models[mode], ids, targets);
      optimizers[mode].step(grads);
      return value.dataSync()[0]!;
    });
  });
  return { loss, sample };
}

const samples: Record<Mode, Sample[]> = { engine: [], fast: [] };
const losses: Record<Mode, number[]> = { engine: [], fast: [] };
const WARMUP = 2;
for (let step = 0; step < WARMUP + STEPS; step++) {
  for (const mode of step % 2 === 0 ? modes : [...modes].reverse()) {
    const info = await initCompute({ backend: 'wasm', threads: 1, kernels: mode });
    if (step === 0) console.log(`${mode}: ${info.device}; ${info.notes.join('; ')}`);
    const { loss, sample } = trainStep(mode, 1000 + step);
    losses[mode].push(loss);
    if (step >= WARMUP) samples[mode].push(sample);
    console.log(
      `step ${step} ${mode.padEnd(6)} loss ${loss.toFixed(6)}  ${sample.wallMs.toFixed(0)} ms wall, ${sample.cpuMs.toFixed(0)} ms cpu`,
    );
  }
}
const diffs = losses.engine.map((l, i) => Math.abs(l - losses.fast[i]!));
const engine = medianSample(samples.engine);
const fast = medianSample(samples.fast);

interface TorchResult {
  torch: string;
  threads: number;
  medianMs: number;
  medianCpuMs: number;
  losses: number[];
}
function runTorch(): TorchResult | string {
  const python = '/usr/bin/python3';
  if (!existsSync(python)) return 'no /usr/bin/python3';
  const script = new URL('./torch_step.py', import.meta.url).pathname;
  const out = spawnSync(
    python,
    [
      script,
      '--steps',
      String(STEPS),
      '--warmup',
      String(WARMUP),
      '--vocab',
      String(config.vocabSize),
    ],
    { encoding: 'utf8', env: { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1' } },
  );
  if (out.status !== 0)
    return `torch did not run: ${(out.stderr || out.error?.message || '').trim().split('\n').at(-1)}`;
  return JSON.parse(out.stdout.trim().split('\n').at(-1)!) as TorchResult;
}
const torch = runTorch();

const fmt = (ms: number): string => ms.toFixed(0);
const rows = [
  ['tfjs-wasm (plain)', fmt(engine.wallMs), fmt(engine.cpuMs), '1.0×'],
  [
    'tfjs-wasm + llmkit kernels',
    fmt(fast.wallMs),
    fmt(fast.cpuMs),
    `${(engine.cpuMs / fast.cpuMs).toFixed(1)}×`,
  ],
];
if (typeof torch !== 'string') {
  rows.push([
    `PyTorch ${torch.torch} (CPU, ${torch.threads} thread)`,
    fmt(torch.medianMs),
    fmt(torch.medianCpuMs),
    `${(engine.cpuMs / torch.medianCpuMs).toFixed(1)}×`,
  ]);
}
console.log(
  `\nnanoGPT step: ${models.fast.size.toLocaleString('en')} parameters, ${JSON.stringify(config)}, batch ${BATCH}; medians of ${STEPS} steps after ${WARMUP} warm-up`,
);
console.log(
  markdownTable(['engine', 'ms / step (wall)', 'ms / step (CPU)', 'speed-up (CPU)'], rows),
);
console.log(
  `largest |loss(plain) − loss(llmkit)| over ${losses.fast.length} steps: ${Math.max(...diffs).toExponential(2)}`,
);
if (typeof torch === 'string') console.log(`PyTorch: ${torch}`);
else
  console.log(
    `PyTorch losses (its own initialisation): ${torch.losses.map((l) => l.toFixed(4)).join(', ')}`,
  );
for (const mode of modes) optimizers[mode].dispose();
ops.tensor(0).dispose();
