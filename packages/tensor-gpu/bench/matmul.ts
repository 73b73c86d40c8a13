/**
 * Square float32 matmul throughput (GFLOP/s = 2n³ / time) at n = 256 … 2048 on tfjs's cpu and
 * wasm backends with tfjs's own kernels (`kernels: 'engine'`; bench/kernels.ts times llmkit's
 * kernels for every transpose flag), and on onnxruntime-node's MatMul (one intra-op
 * thread, and all cores), in one process. Engines alternate within each round; the table gives
 * medians over rounds. The cpu backend at 2048 takes ~20 s per product and is timed once.
 *
 * Run: npm run bench -w @llmkit/tensor-gpu
 */
import { cpus } from 'node:os';
import { initCompute, ops, type Tensor } from '@llmkit/tensor-gpu';
import * as ort from 'onnxruntime-node';
import { onnxMatmulModel } from './onnxMatmul.js';
import { median, table } from './stats.js';

const SIZES = [256, 512, 1024, 2048];
const ROUNDS = 5;
const threads = cpus().length;

type Engine = {
  name: string;
  skip?: (n: number) => boolean;
  rounds?: (n: number) => number;
  setup(n: number): Promise<() => Promise<number>>;
};

function tfjsEngine(backend: 'cpu' | 'wasm'): Engine {
  return {
    name: `tfjs ${backend}`,
    rounds: (n) => (backend === 'cpu' && n >= 2048 ? 1 : ROUNDS),
    async setup(n) {
      await initCompute({ backend, kernels: 'engine' });
      const a: Tensor = ops.randomUniform([n, n], -1, 1, 'float32', 1);
      const b: Tensor = ops.randomUniform([n, n], -1, 1, 'float32', 2);
      return async () => {
        await initCompute({ backend, kernels: 'engine' });
        const start = performance.now();
        const c = ops.matMul(a, b);
        await c.data();
        const ms = performance.now() - start;
        c.dispose();
        return ms;
      };
    },
  };
}

function ortEngine(intraOpNumThreads: number): Engine {
  return {
    name: `onnxruntime-node MatMul (${intraOpNumThreads} thread${intraOpNumThreads > 1 ? 's' : ''})`,
    async setup(n) {
      const session = await ort.InferenceSession.create(onnxMatmulModel(n), {
        intraOpNumThreads,
        interOpNumThreads: 1,
      });
      const data = Float32Array.from({ length: n * n }, (_, i) => Math.sin(i));
      const feeds = {
        A: new ort.Tensor('float32', data, [n, n]),
        B: new ort.Tensor('float32', data, [n, n]),
      };
      return async () => {
        const start = performance.now();
        await session.run(feeds);
        return performance.now() - start;
      };
    },
  };
}

const engines = [
  tfjsEngine('cpu'),
  tfjsEngine('wasm'),
  ortEngine(1),
  ...(threads > 1 ? [ortEngine(threads)] : []),
];
const results = new Map<string, Map<number, { gflops: number; rounds: number }>>();

for (const n of SIZES) {
  const runs = await Promise.all(engines.map(async (e) => ({ engine: e, run: await e.setup(n) })));
  for (const { run } of runs) await run(); // warm-up
  const times = new Map<string, number[]>(engines.map((e) => [e.name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const { engine, run } of runs) {
      if (round < (engine.rounds?.(n) ?? ROUNDS)) times.get(engine.name)!.push(await run());
    }
  }
  for (const { engine } of runs) {
    const ms = times.get(engine.name)!;
    const byName = results.get(engine.name) ?? new Map();
    byName.set(n, { gflops: (2 * n ** 3) / (median(ms) / 1000) / 1e9, rounds: ms.length });
    results.set(engine.name, byName);
  }
  console.error(`n = ${n} done`);
}

const wasm = results.get('tfjs wasm')!;
const rows = [...results].map(([name, byN]) => [
  name,
  ...SIZES.map((n) => {
    const r = byN.get(n)!;
    return `${r.gflops.toFixed(1)}${r.rounds === 1 ? ' (1 run)' : ''}`;
  }),
  ...SIZES.slice(2).map((n) => `${(byN.get(n)!.gflops / wasm.get(n)!.gflops).toFixed(2)}×`),
]);
console.log(
  `Node ${process.version}, ${cpus()[0]?.model ?? 'CPU'}, ${threads} logical cores; median of ${ROUNDS} alternating rounds\n`,
);
console.log(
  table(
    [
      'engine',
      ...SIZES.map((n) => `GFLOP/s n=${n}`),
      ...SIZES.slice(2).map((n) => `vs tfjs wasm n=${n}`),
    ],
    rows,
  ),
);
