/**
 * What a machine's GPU does for llmkit through WebGPU (Dawn, via the `webgpu` package), in one
 * run of a few minutes: the adapter, float32 matmul throughput at 4096², causal attention at
 * three shapes (llmkit's FlashAttention-style WGSL kernels, in f32 and — where the adapter has
 * `shader-f16` — with f16 products in the forward, against tfjs's composed matMul + softmax on
 * the same backend, forward and forward + backward),
 * and the model FLOP utilisation of one training step under each of those, for a nanoGPT-sized
 * model (6 layers, C = 384, 6 heads, T = 256 — nanoGPT's shakespeare_char configuration — batch
 * 32). `--quick` shrinks every size (for software adapters such as Mesa's lavapipe).
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
/**
 * The configurations compared: the fused forward and backward in f32 and (where the device has
 * shader-f16) with f16 products in the forward, and tfjs's own composition. Every measurement
 * below alternates them, round after round, so that a change in the GPU's clocks or load falls on
 * all of them.
 */
const configs = [
  { label: 'llmkit WGSL (FlashAttention-style), f32', kernels: 'fast', precision: 'f32' },
  { label: 'llmkit WGSL, f16 products in the forward', kernels: 'fast', precision: 'f16' },
  { label: 'tfjs matMul + softmax', kernels: 'engine', precision: 'f32' },
] as const;
type Config = (typeof configs)[number];
const COMPOSED = configs[configs.length - 1]!.label;
const ROUNDS = quick ? 2 : 3;

/** Switches to `config`; false where the device cannot run it. */
async function configure(config: Config): Promise<boolean> {
  const configured = await initCompute({
    backend: 'webgpu',
    kernels: config.kernels,
    precision: config.precision,
  });
  return configured.precision === config.precision;
}
const runnable: Config[] = [];
for (const config of configs) {
  if (await configure(config)) runnable.push(config);
  else
    console.log(
      `(${config.label}: skipped, ${computeInfo()?.notes.find((n) => n.startsWith('f16'))})`,
    );
}

/** Largest absolute difference between two arrays. */
const largestDifference = (x: Float32Array, y: Float32Array): number =>
  x.reduce((worst, value, i) => Math.max(worst, Math.abs(value - y[i]!)), 0);

const ATTENTION_SHAPES = quick
  ? [[2, 4, 256, 64]]
  : [
      [STEP.batch, STEP.heads, STEP.blockSize, STEP.embed / STEP.heads], // the training step's
      [4, 8, 1024, 64],
      [1, 8, 4096, 64],
    ];
for (const shape of ATTENTION_SHAPES) {
  const [B, H, T, D] = shape as [number, number, number, number];
  const [q, k, v, dO] = [1, 2, 3, 4].map((seed) =>
    ops.randomNormal(shape, 0, 1, 'float32', seed),
  ) as [Tensor, Tensor, Tensor, Tensor];
  const attentionGrads = () =>
    scope(() =>
      ops.grads((x: Tensor, y: Tensor, z: Tensor) =>
        ops.sum(ops.mul(causalAttention(x, y, z), dO)),
      )([q, k, v]),
    );
  /** Output and gradients of each configuration, to compare with the composed ones. */
  const results = new Map<string, Float32Array[]>();
  const forwardMs = new Map<string, number[]>(runnable.map((c) => [c.label, []]));
  const trainingMs = new Map<string, number[]>(runnable.map((c) => [c.label, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const config of runnable) {
      await configure(config);
      if (round === 0) {
        const first = [scope(() => causalAttention(q, k, v)), ...attentionGrads()];
        results.set(
          config.label,
          (await Promise.all(first.map((x) => x.data()))) as Float32Array[],
        );
        for (const x of first) x.dispose();
      }
      forwardMs.get(config.label)!.push(
        await timeAsync(async () => {
          const o = causalAttention(q, k, v);
          await o.data();
          o.dispose();
        }, 5),
      );
      trainingMs.get(config.label)!.push(
        await timeAsync(async () => {
          const grads = attentionGrads();
          await Promise.all(grads.map((g) => g.data()));
          for (const g of grads) g.dispose();
        }, 5),
      );
    }
  }
  for (const x of [q, k, v, dO]) x.dispose();
  // Causal attention FLOPs: QKᵀ and PV over the visible half of the T×T scores, 2·B·H·T²·D in
  // all forward; backward ≈ 2.5× forward (FlashAttention-2's count).
  const forwardFlops = 2 * B * H * T * T * D;
  const composedTraining = median(trainingMs.get(COMPOSED)!);
  const rows = runnable.map((config) => {
    const forward = median(forwardMs.get(config.label)!);
    const training = median(trainingMs.get(config.label)!);
    const composed = results.get(COMPOSED)!;
    const differences = results
      .get(config.label)!
      .map((x, i) => largestDifference(x, composed[i]!).toExponential(1));
    return [
      config.label,
      forward.toFixed(1),
      gflops(forwardFlops, forward),
      training.toFixed(1),
      gflops(3.5 * forwardFlops, training),
      `${(composedTraining / training).toFixed(2)}×`,
      differences.join(' / '),
    ];
  });
  console.log(
    `\ncausal attention [B=${B}, H=${H}, T=${T}, D=${D}], medians of ${ROUNDS} alternating rounds (each a median of 5)`,
  );
  console.log(
    markdownTable(
      [
        'kernels',
        'forward ms',
        'forward GFLOP/s',
        'fwd+bwd ms',
        'fwd+bwd GFLOP/s',
        'fwd+bwd speed vs composed',
        'largest difference from composed: o / dq / dk / dv',
      ],
      rows,
    ),
  );
}

// 3. One training step's MFU under each configuration (the same model and batch).
const batch = randomBatch(STEP, STEP.batch, 7);
const models = runnable.map((config, i) => {
  const model = createGpt(STEP, 1, `gpu${i}`);
  const optimizer = new AdamW(model.parameters, {
    learningRate: 1e-3,
    weightDecay: 0.1,
    beta2: 0.95,
  });
  return { config, model, optimizer, firstLoss: Number.NaN, stepMs: [] as number[] };
});
for (let round = 0; round < ROUNDS; round++) {
  for (const entry of models) {
    await configure(entry.config);
    entry.stepMs.push(
      await timeAsync(
        async () => {
          const loss = scope(() => {
            const { loss: value, grads } = lossAndGradients(entry.model, batch.ids, batch.targets);
            entry.optimizer.step(grads);
            return value;
          });
          const [value] = await loss.data();
          if (Number.isNaN(entry.firstLoss)) entry.firstLoss = value!;
          loss.dispose();
        },
        quick ? 2 : 4,
      ),
    );
  }
}
const { model } = models[0]!;
// Model FLOPs per token, nanoGPT's estimate_mfu (after PaLM, appendix B): 6N + 12·L·C·T.
const nonEmbedding = model.size - STEP.vocabSize * STEP.embed - STEP.blockSize * STEP.embed;
const perToken = 6 * nonEmbedding + 12 * STEP.layers * STEP.embed * STEP.blockSize;
const stepFlops = perToken * STEP.batch * STEP.blockSize;
const composedStep = median(models.find((m) => m.config.label === COMPOSED)!.stepMs);
console.log(
  `\ntraining step, ${model.size.toLocaleString('en')} parameters, ${JSON.stringify(STEP)}, medians of ${ROUNDS} alternating rounds`,
);
console.log(
  markdownTable(
    [
      'kernels',
      'step ms',
      'GFLOP/s',
      'MFU (of the measured matmul peak)',
      'speed vs composed',
      'first loss',
    ],
    models.map(({ config, stepMs, firstLoss }) => {
      const ms = median(stepMs);
      const utilisation = mfu({ flops: stepFlops, seconds: ms / 1000, peakFlops: peak });
      return [
        config.label,
        ms.toFixed(0),
        gflops(stepFlops, ms),
        `${(100 * utilisation).toFixed(1)}%`,
        `${(composedStep / ms).toFixed(2)}×`,
        firstLoss.toFixed(4),
      ];
    }),
  ),
);
for (const { optimizer, model } of models) {
  optimizer.dispose();
  for (const parameter of Object.values(model.parameters)) parameter.dispose();
}
console.log(
  `\n${computeInfo()?.device}; total ${((performance.now() - started) / 1000).toFixed(0)} s`,
);
process.exit(0);
