/**
 * What a machine's GPU does for llmkit through WebGPU (Dawn, via the `webgpu` package), in one
 * run of a few minutes: the adapter, float32 matmul throughput at 4096², causal attention
 * (llmkit's FlashAttention-style WGSL kernels, in f32 and — where the adapter has `shader-f16` —
 * with f16 products, against tfjs's composed matMul + softmax on the same backend, forward and
 * forward + backward), and the model FLOP utilisation of one training
 * step of a nanoGPT-sized model (6 layers, C = 384, 6 heads, T = 256 — nanoGPT's
 * shakespeare_char configuration — batch 32). `--quick` shrinks every size (for software
 * adapters such as Mesa's lavapipe).
 *
 * Run: npm run bench:gpu -w @llmkit/tensor-gpu [-- --quick]   (bench/gpu.sh checks the Vulkan loader first)
 */
import {
  AdamW,
  causalAttention,
  computeInfo,
  initCompute,
  measurePeakFlops,
  mfu,
  ops,
  scope,
  type Tensor,
} from '@llmkit/tensor-gpu';
import { createGpt, type GptConfig, lossAndGradients, randomBatch } from './nanoGpt.js';
import { markdownTable, median } from './timing.js';

let quick = process.argv.includes('--quick');
const started = performance.now();

let info: Awaited<ReturnType<typeof initCompute>>;
try {
  info = await initCompute({ backend: 'webgpu' });
} catch (error) {
  console.error(`No WebGPU here: ${(error as Error).message}`);
  process.exit(1);
}
console.log(`adapter: ${info.device}`);
console.log(`features: ${info.features.join(', ')}`);
if (!quick && /llvmpipe|lavapipe|swiftshader|software/i.test(info.device)) {
  // The full sizes would take an hour on a CPU-emulated adapter.
  console.log(
    'software adapter: running the --quick sizes (is the GPU driver’s Vulkan ICD installed?)',
  );
  quick = true;
}
const MATMUL = quick ? 1024 : 4096;
const ATTENTION = quick ? { b: 2, h: 4, t: 256, d: 64 } : { b: 4, h: 8, t: 1024, d: 64 };
const STEP: GptConfig & { batch: number } = quick
  ? { vocabSize: 65, blockSize: 64, layers: 2, heads: 4, embed: 128, batch: 4 }
  : { vocabSize: 65, blockSize: 256, layers: 6, heads: 6, embed: 384, batch: 32 };

/** A rate in GFLOP/s to three significant digits. */
const gflops = (flops: number, ms: number): string => (flops / ms / 1e6).toPrecision(3);

/** Median milliseconds of `fn` (which must await its result) over `runs` after one warm-up. */
async function timeAsync(fn: () => Promise<void>, runs: number): Promise<number> {
  await fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  return median(samples);
}

// 1. Matmul throughput.
const peak = await measurePeakFlops({ maxSize: MATMUL, budgetMs: quick ? 300 : 2000 });
const [a, b] = [
  ops.randomNormal([MATMUL, MATMUL], 0, 1, 'float32', 1),
  ops.randomNormal([MATMUL, MATMUL], 0, 1, 'float32', 2),
];
const matmulMs = await timeAsync(async () => {
  const c = ops.matMul(a, b);
  await c.data();
  c.dispose();
}, 3);
console.log(
  `\nmatmul ${MATMUL}²: ${gflops(2 * MATMUL ** 3, matmulMs)} GFLOP/s (median of 3; probe peak ${(peak / 1e9).toPrecision(3)} GFLOP/s)`,
);
a.dispose();
b.dispose();

// 2. Causal attention, fused (WGSL) against composed, forward and forward + backward.
const { b: B, h: H, t: T, d: D } = ATTENTION;
const shape = [B, H, T, D];
const [q, k, v, dO] = [1, 2, 3, 4].map((seed) =>
  ops.randomNormal(shape, 0, 1, 'float32', seed),
) as [Tensor, Tensor, Tensor, Tensor];
// Causal attention FLOPs: QKᵀ and PV over the visible half of the T×T scores, 2·B·H·T²·D in all
// forward; backward ≈ 2.5× forward (FlashAttention-2's count).
const forwardFlops = 2 * B * H * T * T * D;
const rows: string[][] = [];
/** The configurations compared: f16 products only where the device has shader-f16. */
const configs = [
  { label: 'llmkit WGSL (FlashAttention-style), f32', kernels: 'fast', precision: 'f32' },
  { label: 'llmkit WGSL, f16 products, f32 softmax/sums', kernels: 'fast', precision: 'f16' },
  { label: 'tfjs matMul + softmax', kernels: 'engine', precision: 'f32' },
] as const;
const forwardMs = new Map<string, number>();
const outputs = new Map<string, Float32Array>();
for (const config of configs) {
  const configured = await initCompute({
    backend: 'webgpu',
    kernels: config.kernels,
    precision: config.precision,
  });
  if (configured.precision !== config.precision) {
    console.log(`(${config.label}: skipped, ${configured.notes.find((n) => n.startsWith('f16'))})`);
    continue;
  }
  const first = causalAttention(q, k, v);
  outputs.set(config.precision + config.kernels, (await first.data()) as Float32Array);
  first.dispose();
  const forward = await timeAsync(async () => {
    const o = causalAttention(q, k, v);
    await o.data();
    o.dispose();
  }, 5);
  forwardMs.set(config.precision + config.kernels, forward);
  const training = await timeAsync(async () => {
    const grads = scope(() =>
      ops.grads((x: Tensor, y: Tensor, z: Tensor) =>
        ops.sum(ops.mul(causalAttention(x, y, z), dO)),
      )([q, k, v]),
    );
    await Promise.all(grads.map((g) => g.data()));
    for (const g of grads) g.dispose();
  }, 3);
  rows.push([
    config.label,
    forward.toFixed(1),
    gflops(forwardFlops, forward),
    training.toFixed(1),
    gflops(3.5 * forwardFlops, training),
  ]);
}
for (const x of [q, k, v, dO]) x.dispose();
console.log(`\ncausal attention [B=${B}, H=${H}, T=${T}, D=${D}]`);
console.log(
  markdownTable(
    ['kernels', 'forward ms', 'forward GFLOP/s', 'fwd+bwd ms', 'fwd+bwd GFLOP/s'],
    rows,
  ),
);
const [f32Out, f16Out] = [outputs.get('f32fast'), outputs.get('f16fast')];
if (f32Out !== undefined && f16Out !== undefined) {
  const difference = f16Out.reduce((worst, x, i) => Math.max(worst, Math.abs(x - f32Out[i]!)), 0);
  const speedup = forwardMs.get('f32fast')! / forwardMs.get('f16fast')!;
  console.log(
    `f16 forward: ${speedup.toFixed(2)}× the f32 forward's speed; largest difference from it ${difference.toExponential(2)}`,
  );
}

// 3. One training step's MFU.
await initCompute({ backend: 'webgpu', kernels: 'fast' });
const model = createGpt(STEP, 1, 'gpu');
const optimizer = new AdamW(model.parameters, {
  learningRate: 1e-3,
  weightDecay: 0.1,
  beta2: 0.95,
});
const batch = randomBatch(STEP, STEP.batch, 7);
const stepMs = await timeAsync(
  async () => {
    const loss = scope(() => {
      const { loss: value, grads } = lossAndGradients(model, batch.ids, batch.targets);
      optimizer.step(grads);
      return value;
    });
    await loss.data();
    loss.dispose();
  },
  quick ? 2 : 5,
);
// Model FLOPs per token, nanoGPT's estimate_mfu (after PaLM, appendix B): 6N + 12·L·C·T.
const nonEmbedding = model.size - STEP.vocabSize * STEP.embed - STEP.blockSize * STEP.embed;
const perToken = 6 * nonEmbedding + 12 * STEP.layers * STEP.embed * STEP.blockSize;
const stepFlops = perToken * STEP.batch * STEP.blockSize;
const utilisation = mfu({ flops: stepFlops, seconds: stepMs / 1000, peakFlops: peak });
console.log(
  `\ntraining step (${model.size.toLocaleString('en')} parameters, ${JSON.stringify(STEP)}): ${stepMs.toFixed(0)} ms, ` +
    `${gflops(stepFlops, stepMs)} GFLOP/s, MFU ${(100 * utilisation).toFixed(1)}% of the measured matmul peak`,
);
optimizer.dispose();
console.log(
  `\n${computeInfo()?.device}; total ${((performance.now() - started) / 1000).toFixed(0)} s`,
);
process.exit(0);
