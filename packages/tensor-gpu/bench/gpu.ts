/**
 * What a machine's GPU does for llmkit through WebGPU (Dawn, via the `webgpu` package), in one
 * run of a few minutes: the adapter, float32 matmul throughput at 4096², causal attention at
 * three shapes, forward and forward + backward (llmkit's FlashAttention-style WGSL kernels, in
 * f32 and — where the adapter has `shader-f16` — with f16 products in the forward, against
 * llmkit's default route, tfjs's matMul + softmax with a cached mask, and the same composition
 * written out here), and the model FLOP utilisation of one training step with the kernels and
 * with the default route, for a nanoGPT-sized model (6 layers, C = 384, 6 heads, T = 256 —
 * nanoGPT's shakespeare_char configuration — batch 32). `--quick` shrinks every size (for
 * software adapters such as Mesa's lavapipe).
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
import { setFusedAttentionAbove } from '../src/internal/fusedAttention.js';
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

/**
 * Milliseconds per call of `fn` with `calls` calls queued back to back and one 1-element read at
 * the end: the device's throughput as inside a training step, where nothing is read between
 * operations. Median of 3 such runs after a warm-up.
 */
async function timeQueued(fn: () => Tensor[], calls = quick ? 3 : 10): Promise<number> {
  const settle = async (outputs: Tensor[]): Promise<void> => {
    const probe = scope(() => ops.slice(ops.reshape(outputs[0]!, [-1]), [0], [1]));
    await probe.data();
    probe.dispose();
    for (const x of outputs) x.dispose();
  };
  await settle(fn());
  const samples: number[] = [];
  for (let run = 0; run < 3; run++) {
    const t0 = performance.now();
    let outputs = fn();
    for (let i = 1; i < calls; i++) {
      for (const x of outputs) x.dispose();
      outputs = fn();
    }
    await settle(outputs);
    samples.push((performance.now() - t0) / calls);
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
 * The configurations compared: llmkit's FlashAttention-style kernels in f32 and (where the device
 * has shader-f16) with f16 products in the forward, made to run at every size; llmkit's default
 * route, which composes tfjs's matMul and softmax with a cached mask wherever the scores fit the
 * device; and, for attention alone, the same composition written here with its mask made once,
 * as nanoGPT registers it as a buffer. Every measurement below alternates them, round after
 * round, so that a change in the GPU's clocks or load falls on all.
 */
const configs = [
  { label: 'llmkit WGSL (FlashAttention-style), f32', precision: 'f32', fused: true },
  { label: 'llmkit WGSL, f16 products in the forward', precision: 'f16', fused: true },
  { label: 'llmkit default: tfjs matMul + softmax', precision: 'f32', fused: false },
  {
    label: 'tfjs matMul + softmax, written here',
    precision: 'f32',
    fused: false,
    maskOnce: true,
  },
] as const;
type Config = (typeof configs)[number];
const DEFAULT = configs[2].label;
const ROUNDS = quick ? 2 : 3;

/** Switches to `config`; false where the device cannot run it. */
async function configure(config: Config): Promise<boolean> {
  const configured = await initCompute({ backend: 'webgpu', precision: config.precision });
  setFusedAttentionAbove(config.fused ? 0 : undefined);
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
  // 0 where query i sees key j ≤ i, −∞ elsewhere: made once, as nanoGPT's registered buffer.
  const maskValues = new Float32Array(T * T);
  for (let i = 0; i < T; i++) maskValues.fill(Number.NEGATIVE_INFINITY, i * T + i + 1, (i + 1) * T);
  const mask = ops.tensor(maskValues, [T, T]);
  let attention = (x: Tensor, y: Tensor, z: Tensor): Tensor => causalAttention(x, y, z);
  const maskedOnce = (x: Tensor, y: Tensor, z: Tensor): Tensor =>
    ops.matMul(
      ops.softmax(ops.add(ops.mul(ops.matMul(x, y, false, true), 1 / Math.sqrt(D)), mask)),
      z,
    );
  // The upstream gradient dO enters as tf.grads' dy, as it would from the next layer.
  const attentionGrads = () =>
    scope(() => ops.grads((x: Tensor, y: Tensor, z: Tensor) => attention(x, y, z))([q, k, v], dO));
  /** Output and gradients of each configuration, to compare with the composed ones. */
  const results = new Map<string, Float32Array[]>();
  const forwardMs = new Map<string, number[]>(runnable.map((c) => [c.label, []]));
  const trainingMs = new Map<string, number[]>(runnable.map((c) => [c.label, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const config of runnable) {
      await configure(config);
      attention = 'maskOnce' in config ? maskedOnce : causalAttention;
      if (round === 0) {
        const first = [scope(() => attention(q, k, v)), ...attentionGrads()];
        results.set(
          config.label,
          (await Promise.all(first.map((x) => x.data()))) as Float32Array[],
        );
        for (const x of first) x.dispose();
      }
      forwardMs.get(config.label)!.push(await timeQueued(() => [scope(() => attention(q, k, v))]));
      trainingMs.get(config.label)!.push(await timeQueued(attentionGrads));
    }
  }
  for (const x of [q, k, v, dO, mask]) x.dispose();
  // Causal attention FLOPs: QKᵀ and PV over the visible half of the T×T scores, 2·B·H·T²·D in
  // all forward; backward ≈ 2.5× forward (FlashAttention-2's count).
  const forwardFlops = 2 * B * H * T * T * D;
  /** The faster of the two compositions, per shape. */
  const composedTraining = Math.min(
    ...runnable.filter((c) => !c.fused).map((c) => median(trainingMs.get(c.label)!)),
  );
  const rows = runnable.map((config) => {
    const forward = median(forwardMs.get(config.label)!);
    const training = median(trainingMs.get(config.label)!);
    const composed = results.get(DEFAULT)!;
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
    `\ncausal attention [B=${B}, H=${H}, T=${T}, D=${D}], medians of ${ROUNDS} alternating rounds, each the median of 3 runs of ${quick ? 3 : 10} queued calls`,
  );
  console.log(
    markdownTable(
      [
        'attention',
        'forward ms',
        'forward GFLOP/s',
        'fwd+bwd ms',
        'fwd+bwd GFLOP/s',
        'fwd+bwd speed vs the faster composition',
        'largest difference from the default: o / dq / dk / dv',
      ],
      rows,
    ),
  );
}

// 3. One training step's MFU under each configuration (the same model and batch).
const batch = randomBatch(STEP, STEP.batch, 7);
const models = runnable
  .filter((config) => !('maskOnce' in config))
  .map((config, i) => {
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
const defaultStep = median(models.find((m) => m.config.label === DEFAULT)!.stepMs);
console.log(
  `\ntraining step, ${model.size.toLocaleString('en')} parameters, ${JSON.stringify(STEP)}, medians of ${ROUNDS} alternating rounds`,
);
console.log(
  markdownTable(
    [
      'attention',
      'step ms',
      'GFLOP/s',
      'MFU (of the measured matmul peak)',
      'speed vs the default',
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
        `${(defaultStep / ms).toFixed(2)}×`,
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
