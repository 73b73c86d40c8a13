/**
 * AdamW step throughput (parameters updated per second) on tfjs's cpu and wasm backends, next
 * to the typed-array reference (`adamWStepReference`, one JavaScript loop) and tfjs's own
 * `tf.train.adam` (Adam without decoupled decay: the closest tfjs peer), alternating in one
 * process over tensors shaped like part of a GPT-2-small block (2.36 M parameters).
 *
 * Run: npm run bench -w @llmkit/tensor-gpu
 */
import { cpus } from 'node:os';
import {
  AdamW,
  adamWStepReference,
  initCompute,
  type NamedVariables,
  ops,
  scope,
} from '@llmkit/tensor-gpu';
import * as tf from '@tensorflow/tfjs-core';
import { median, table } from './stats.js';

const SHAPES: Record<string, number[]> = {
  'h.0.attn.c_attn.weight': [768, 2304],
  'h.0.attn.c_proj.weight': [768, 768],
  'h.0.ln_1.weight': [768],
  'h.0.mlp.c_fc.bias': [3072],
};
const ROUNDS = 7;
const total = Object.values(SHAPES).reduce((n, s) => n + s.reduce((a, b) => a * b, 1), 0);

type Run = () => Promise<number>;

async function tensorEngine(backend: 'cpu' | 'wasm', kind: 'llmkit' | 'tfjs'): Promise<Run> {
  await initCompute({ backend });
  const params: NamedVariables = scope(() =>
    Object.fromEntries(
      Object.entries(SHAPES).map(([n, s], i) => [
        n,
        ops.variable(ops.randomNormal(s, 0, 0.02, 'float32', i), true, `${kind}-${backend}-${n}`),
      ]),
    ),
  );
  const grads = scope(() =>
    Object.fromEntries(
      Object.entries(SHAPES).map(([n, s], i) => [n, ops.randomNormal(s, 0, 1, 'float32', 100 + i)]),
    ),
  );
  const adamw = new AdamW(params, { learningRate: 1e-3, weightDecay: 0.1 });
  const adam = tf.train.adam(1e-3);
  const tfjsGrads = Object.fromEntries(
    Object.entries(grads).map(([n, g]) => [`${kind}-${backend}-${n}`, g]),
  );
  return async () => {
    await initCompute({ backend });
    const start = performance.now();
    if (kind === 'llmkit') adamw.step(grads);
    else adam.applyGradients(tfjsGrads as unknown as Parameters<typeof adam.applyGradients>[0]);
    await Object.values(params)[0]!.data();
    return performance.now() - start;
  };
}

function referenceEngine(): Run {
  const state = Object.values(SHAPES).map((s) => {
    const n = s.reduce((a, b) => a * b, 1);
    return {
      p: new Float32Array(n).fill(0.01),
      g: new Float32Array(n).fill(0.5),
      m: new Float32Array(n),
      v: new Float32Array(n),
    };
  });
  let step = 0;
  return async () => {
    step++;
    const start = performance.now();
    for (const { p, g, m, v } of state) {
      adamWStepReference(p, g, m, v, step, {
        learningRate: 1e-3,
        beta1: 0.9,
        beta2: 0.999,
        epsilon: 1e-8,
        weightDecay: 0.1,
      });
    }
    return performance.now() - start;
  };
}

const engines: [string, Run][] = [
  ['llmkit AdamW, tfjs cpu', await tensorEngine('cpu', 'llmkit')],
  ['llmkit AdamW, tfjs wasm', await tensorEngine('wasm', 'llmkit')],
  ['tfjs train.adam, cpu', await tensorEngine('cpu', 'tfjs')],
  ['tfjs train.adam, wasm', await tensorEngine('wasm', 'tfjs')],
  ['adamWStepReference (typed arrays)', referenceEngine()],
];
for (const [, run] of engines) await run();
const times = new Map<string, number[]>(engines.map(([name]) => [name, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, run] of engines) times.get(name)!.push(await run());
}
const base = median(times.get('llmkit AdamW, tfjs wasm')!);
console.log(
  `Node ${process.version}, ${cpus()[0]?.model ?? 'CPU'}; ${(total / 1e6).toFixed(2)} M parameters; median of ${ROUNDS} alternating rounds\n`,
);
console.log(
  table(
    ['implementation', 'ms per step', 'M params/s', 'time vs llmkit AdamW (wasm)'],
    [...times].map(([name, ms]) => {
      const m = median(ms);
      return [
        name,
        m.toFixed(1),
        (total / (m / 1000) / 1e6).toFixed(1),
        `${(m / base).toFixed(2)}×`,
      ];
    }),
  ),
);
