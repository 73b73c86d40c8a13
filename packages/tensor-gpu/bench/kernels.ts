/**
 * Kernel throughput on the host backends, one thread everywhere, contenders alternating inside
 * one process (medians of CPU time; see timing.ts):
 *
 * 1. Matrix products, square n = 256 … 2048, every transpose flag: tfjs-wasm's own kernel,
 *    tfjs-cpu's own kernel (to 1024; it needs seconds beyond), the same backends with llmkit's
 *    kernel (onnxruntime-node under the engine), and onnxruntime-node called directly on typed
 *    arrays (the ceiling).
 * 2. Every fused kernel against the engine's composition of the same function, on wasm, at the
 *    sizes of a nanoGPT-shaped step (B·T = 2048 rows, C = 128, 4C = 512, 4 heads of T = 128):
 *    'fast' (with onnxruntime-node), 'portable' (llmkit's JavaScript kernels alone, what a
 *    machine without onnxruntime-node gets) and 'engine' (plain tfjs).
 *
 * Run: npm run bench -w @llmkit/tensor-gpu   (this file, then nanoGptStep.ts); one part:
 * node --conditions=@llmkit/source --import tsx bench/kernels.ts --only matmul|fused
 */
import {
  AdamW,
  causalSoftmax,
  gelu,
  initCompute,
  layerNorm,
  ops,
  rmsNorm,
  scope,
  softmaxCrossEntropy,
  type Tensor,
} from '@llmkit/tensor-gpu';
import { ignoreOnnxRuntime, loadOnnxRuntime } from '../src/internal/onnxruntime.js';
import { kernelSessionOptions } from '../src/kernels/batchMatMul.js';
import { encodeOnnxModel } from '../src/onnx/onnxModel.js';
import { markdownTable, median, repetitionsFor, time } from './timing.js';

/** `--only matmul` or `--only fused` runs one part. */
const only = process.argv.includes('--only')
  ? process.argv[process.argv.indexOf('--only') + 1]
  : undefined;
const SIZES = only === 'fused' ? [] : [256, 512, 1024, 2048];
const FLAGS: [boolean, boolean][] = [
  [false, false],
  [false, true],
  [true, false],
  [true, true],
];
const flagName = ([a, b]: [boolean, boolean]): string => `${a ? 'Aᵀ' : 'A'}·${b ? 'Bᵀ' : 'B'}`;

type Mode = 'fast' | 'portable' | 'engine';
async function use(backend: 'cpu' | 'wasm', mode: Mode): Promise<void> {
  ignoreOnnxRuntime(mode === 'portable');
  await initCompute({ backend, threads: 1, kernels: mode === 'engine' ? 'engine' : 'fast' });
  ignoreOnnxRuntime(false);
}

/** Median CPU milliseconds per call of `fn` over `rounds` rounds of about `targetMs` each. */
function cpuMs(fn: () => void, targetMs: number): number {
  const repeat = repetitionsFor(fn, targetMs);
  return time(fn, repeat).cpuMs;
}

// ---- 1. Matrix products ------------------------------------------------------------------
const ort = loadOnnxRuntime();
interface Contender {
  name: string;
  skip?: (n: number) => boolean;
  prepare(): Promise<void>;
  run(n: number, flags: [boolean, boolean]): number; // CPU ms per product
}
const tensorsFor = new Map<number, [Tensor, Tensor]>();
const engineProduct = (n: number, [ta, tb]: [boolean, boolean]): number => {
  const [a, b] = tensorsFor.get(n)!;
  return cpuMs(() => scope(() => void ops.matMul(a, b, ta, tb).dataSync()), n >= 1024 ? 1 : 200);
};
const contenders: Contender[] = [
  { name: 'tfjs-wasm', prepare: () => use('wasm', 'engine'), run: engineProduct },
  { name: 'tfjs-wasm + llmkit', prepare: () => use('wasm', 'fast'), run: engineProduct },
  {
    name: 'tfjs-cpu',
    skip: (n) => n > 1024,
    prepare: () => use('cpu', 'engine'),
    run: engineProduct,
  },
  { name: 'tfjs-cpu + llmkit', prepare: () => use('cpu', 'fast'), run: engineProduct },
];
if (!(ort instanceof Error)) {
  const sessions = FLAGS.map(([ta, tb]) =>
    ort.session(
      encodeOnnxModel({
        graph: {
          name: 'mm',
          nodes: [
            {
              opType: 'FusedMatMul',
              domain: 'com.microsoft',
              inputs: ['A', 'B'],
              outputs: ['Y'],
              attributes: {
                transA: { type: 'int', value: ta ? 1 : 0 },
                transB: { type: 'int', value: tb ? 1 : 0 },
              },
            },
          ],
          inputs: [
            { name: 'A', dataType: 'float32' },
            { name: 'B', dataType: 'float32' },
          ],
          outputs: [{ name: 'Y', dataType: 'float32' }],
        },
        opsetImports: [
          { domain: '', version: 17 },
          { domain: 'com.microsoft', version: 1 },
        ],
      }),
      kernelSessionOptions(1),
    ),
  );
  const arrays = new Map<number, Float32Array[]>();
  contenders.push({
    name: `onnxruntime-node ${ort.version} direct`,
    prepare: async () => undefined,
    run(n, flags) {
      if (!arrays.has(n))
        arrays.set(
          n,
          [0, 1, 2].map(() => Float32Array.from({ length: n * n }, Math.random)),
        );
      const [a, b, y] = arrays.get(n)!;
      const session = sessions[FLAGS.indexOf(flags)]!;
      const feeds = { A: ort.tensor('float32', a!, [n, n]), B: ort.tensor('float32', b!, [n, n]) };
      return cpuMs(
        () => void session.run(feeds, { Y: ort.tensor('float32', y!, [n, n]) }, {}),
        200,
      );
    },
  });
}

const ROUNDS = 3;
const results = new Map<string, number[]>(); // `${contender}|${n}|${flags}` → GFLOP/s samples
for (const n of SIZES) {
  for (let round = 0; round < (n >= 1024 ? 2 : ROUNDS); round++) {
    for (const contender of round % 2 === 0 ? contenders : [...contenders].reverse()) {
      if (contender.skip?.(n)) continue;
      await contender.prepare();
      if (!tensorsFor.has(n)) {
        tensorsFor.set(n, [
          ops.randomNormal([n, n], 0, 1, 'float32', 1),
          ops.randomNormal([n, n], 0, 1, 'float32', 2),
        ]);
      }
      for (const flags of FLAGS) {
        const ms = contender.run(n, flags);
        const key = `${contender.name}|${n}|${flagName(flags)}`;
        results.set(key, [...(results.get(key) ?? []), (2 * n ** 3) / ms / 1e6]);
      }
      // Tensors belong to one backend; make fresh ones for the next contender.
      for (const t of tensorsFor.get(n)!) t.dispose();
      tensorsFor.delete(n);
    }
  }
  console.error(`matmul n = ${n} done`);
}
const header = ['engine', 'n', ...FLAGS.map(flagName)];
const rows: string[][] = [];
for (const contender of contenders) {
  for (const n of SIZES) {
    if (contender.skip?.(n)) continue;
    rows.push([
      contender.name,
      String(n),
      ...FLAGS.map((f) =>
        median(results.get(`${contender.name}|${n}|${flagName(f)}`) ?? [0]).toFixed(1),
      ),
    ]);
  }
}
console.log('\nMatrix products, GFLOP/s per thread (CPU time), square n×n:');
console.log(markdownTable(header, rows));

// ---- 2. Fused kernels against the engine's composition --------------------------------------
interface Case {
  name: string;
  elements: number;
  make(): Tensor[];
  forward(inputs: Tensor[]): Tensor;
  /** Forward and backward of Σ(forward · r) for a fixed random r. */
  training?: boolean;
  /** Modes in which llmkit composes this pass from engine operations rather than a kernel. */
  composed?: { forward?: Mode[]; training?: Mode[] };
}
const ROWS = 2048;
const C = 128;
const labels = (): Tensor => ops.randomUniform([ROWS], 0, 65, 'int32', 9);
const cases: Case[] = [
  {
    name: 'gelu [2048, 512]',
    elements: ROWS * 4 * C,
    make: () => [ops.randomNormal([ROWS, 4 * C])],
    forward: ([x]) => gelu(x!),
    training: true,
    composed: { forward: ['portable'], training: ['portable'] },
  },
  {
    name: 'layerNorm [2048, 128]',
    elements: ROWS * C,
    make: () => [ops.randomNormal([ROWS, C]), ops.ones([C]), ops.zeros([C])],
    forward: ([x, g, b]) => layerNorm(x!, g!, b!),
    training: true,
    composed: { forward: ['fast', 'portable'] },
  },
  {
    name: 'rmsNorm [2048, 128]',
    elements: ROWS * C,
    make: () => [ops.randomNormal([ROWS, C]), ops.ones([C])],
    forward: ([x, g]) => rmsNorm(x!, g!),
    training: true,
    composed: { forward: ['fast', 'portable'] },
  },
  {
    name: 'causalSoftmax [16, 4, 128, 128]',
    elements: 16 * 4 * 128 * 128,
    make: () => [ops.randomNormal([16, 4, 128, 128])],
    forward: ([x]) => causalSoftmax(x!, 0.18),
    training: true,
    composed: { forward: ['portable'], training: ['portable'] },
  },
  {
    name: 'softmaxCrossEntropy [2048, 65]',
    elements: ROWS * 65,
    make: () => [ops.randomNormal([ROWS, 65])],
    forward: ([x]) => softmaxCrossEntropy(x!, labels()),
    training: true,
  },
  {
    name: 'softmaxCrossEntropy [2048, 8192]',
    elements: ROWS * 8192,
    make: () => [ops.randomNormal([ROWS, 8192])],
    forward: ([x]) => softmaxCrossEntropy(x!, labels()),
    training: true,
  },
  {
    name: 'column sum (bias gradient) [2048, 512] → [512]',
    elements: ROWS * 4 * C,
    make: () => [ops.randomNormal([ROWS, 4 * C])],
    forward: ([x]) => ops.sum(x!, 0),
  },
  {
    name: 'split q, k, v [2048, 384] → 3 × [2048, 128]',
    elements: ROWS * 3 * C,
    make: () => [ops.randomNormal([ROWS, 3 * C])],
    forward: ([x]) => ops.split(x!, 3, 1)[0]!,
  },
];

function record(samples: Record<string, number[]>, key: string, value: number): void {
  samples[key] = [...(samples[key] ?? []), value];
}

function runCase(c: Case, inputs: Tensor[], upstream: Tensor | undefined): void {
  scope(() => {
    if (upstream === undefined) {
      void c.forward(inputs).dataSync();
      return;
    }
    const grads = ops.grads((...xs: Tensor[]) => ops.sum(ops.mul(c.forward(xs), upstream)))(
      inputs.filter((t) => t.dtype === 'float32'),
    );
    for (const g of grads) g.dataSync();
  });
}

const modes: Mode[] =
  ort instanceof Error ? ['portable', 'engine'] : ['fast', 'portable', 'engine'];
const fusedRows: string[][] = [];
for (const c of cases) {
  const samples: Record<string, number[]> = {};
  for (let round = 0; round < 5; round++) {
    for (const mode of round % 2 === 0 ? modes : [...modes].reverse()) {
      await use('wasm', mode);
      const inputs = c.make();
      const out = scope(() => c.forward(inputs));
      const upstream = c.training ? ops.randomNormal(out.shape) : undefined;
      out.dispose();
      record(
        samples,
        `${mode}|forward`,
        cpuMs(() => runCase(c, inputs, undefined), 150),
      );
      if (upstream !== undefined) {
        record(
          samples,
          `${mode}|training`,
          cpuMs(() => runCase(c, inputs, upstream), 150),
        );
        upstream.dispose();
      }
      for (const t of inputs) t.dispose();
    }
  }
  for (const phase of c.training ? ['forward', 'training'] : ['forward']) {
    const engine = median(samples[`engine|${phase}`]!);
    const cell = (mode: Mode): string => {
      const ms = median(samples[`${mode}|${phase}`]!);
      if (c.composed?.[phase as 'forward' | 'training']?.includes(mode))
        return `${ms.toFixed(2)} (composed)`;
      return `${ms.toFixed(2)} (${(engine / ms).toFixed(1)}×)`;
    };
    fusedRows.push([
      c.name,
      phase === 'forward' ? 'forward' : 'forward + backward',
      ...modes.filter((m) => m !== 'engine').map(cell),
      engine.toFixed(2),
      `${(c.elements / median(samples[`${modes[0]}|${phase}`]!) / 1e3).toFixed(0)}`,
    ]);
  }
  console.error(`${c.name} done`);
}

// AdamW over a nanoGPT-sized parameter set (818k floats in 52 tensors): one step.
{
  const shapes = [
    [65, 128],
    [128, 128],
    ...Array.from({ length: 4 }, () => [
      [128, 384],
      [384],
      [128, 128],
      [128],
      [128, 512],
      [512],
      [512, 128],
      [128],
      [128],
      [128],
      [128],
      [128],
    ]).flat(),
  ] as number[][];
  const samples: Record<string, number[]> = {};
  for (let round = 0; round < 5; round++) {
    for (const mode of round % 2 === 0 ? modes : [...modes].reverse()) {
      await use('wasm', mode);
      const params = Object.fromEntries(
        shapes.map((s, i) => [`p${i}`, ops.variable(ops.randomNormal(s))]),
      );
      const grads = Object.fromEntries(shapes.map((s, i) => [`p${i}`, ops.randomNormal(s)]));
      const optimizer = new AdamW(params, { learningRate: 1e-3, weightDecay: 0.1 });
      optimizer.step(grads); // creates the moments
      record(
        samples,
        mode,
        cpuMs(() => void optimizer.step(grads), 150),
      );
      optimizer.dispose();
      for (const t of [...Object.values(params), ...Object.values(grads)]) t.dispose();
    }
  }
  const engine = median(samples.engine!);
  const elements = shapes.reduce((n, s) => n + s.reduce((a, b) => a * b, 1), 0);
  fusedRows.push([
    `AdamW step, ${shapes.length} tensors, ${elements.toLocaleString('en')} parameters`,
    'update',
    ...modes
      .filter((m) => m !== 'engine')
      .map(
        (m) => `${median(samples[m]!).toFixed(2)} (${(engine / median(samples[m]!)).toFixed(1)}×)`,
      ),
    engine.toFixed(2),
    `${(elements / median(samples[modes[0]!]!) / 1e3).toFixed(0)}`,
  ]);
}

console.log('\nFused kernels on wasm, CPU ms per call (speed-up over the engine composition):');
console.log(
  markdownTable(
    [
      'operation',
      'pass',
      ...modes.filter((m) => m !== 'engine').map((m) => `llmkit ${m}`),
      'tfjs-wasm composition',
      `M elements/s (${modes[0]})`,
    ],
    fusedRows,
  ),
);
