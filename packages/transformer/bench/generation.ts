/**
 * Decoding, prefill and training speed of the benchmark configs (TINY_GPT: 4 layers, width 128;
 * BABY_GPT: 6 layers, width 384, context 256) on tfjs-wasm and, for decoding and prefill,
 * through the ONNX export in onnxruntime-node (1 and 2 threads), beside PyTorch (Debian's
 * python3-torch, `bench/torch_reference.py`, the same shapes) with 1 and 2 threads. Rounds
 * alternate between the engines; medians are reported. Also the memory one generated sequence
 * holds (its KV cache at the full context).
 *
 * Run: npm run bench -w @llmkit/transformer   (ROUNDS=3 by default)
 * Decoding through ONNX Runtime alone: ONLY=onnx-decode npm run bench -w @llmkit/transformer
 * (ROUNDS=9 by default there); each cell then also shows the range over the rounds.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { AdamW, computeInfo, dispose, initCompute, memoryReport } from '@llmkit/tensor-gpu';
import {
  BABY_GPT,
  generate,
  TINY_GPT,
  TokenBatches,
  Transformer,
  type TransformerConfig,
  trainStep,
} from '@llmkit/transformer';
import { OnnxTransformer } from '@llmkit/transformer/onnx';

const ONLY_DECODE = process.env.ONLY === 'onnx-decode';
const ROUNDS = Number(process.env.ROUNDS ?? (ONLY_DECODE ? 9 : 3));
const PYTHON = '/usr/bin/python3';
const SETUPS = [
  { name: 'tiny', config: TINY_GPT, batch: 4, length: 64, decode: 200 },
  { name: 'baby', config: BABY_GPT, batch: 1, length: 64, decode: 100 },
] as const;

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

interface Numbers {
  decodeTokensPerSecond: number;
  /** Decoded tokens per second of this process's CPU time (user + system): less disturbed by other load. */
  decodeTokensPerCpuSecond?: number;
  prefill256Ms: number;
  trainMsPerIteration: number;
}

/** llmkit on the current backend: the same three measurements as the torch script. */
async function measureLlmkit(
  config: TransformerConfig,
  batch: number,
  length: number,
  decode: number,
): Promise<Numbers> {
  const model = new Transformer(config, { seed: 0 });
  // Decode: a 16-token prompt, then `decode` greedy tokens through generate (sampling included).
  const prompt = Array.from({ length: 16 }, (_, i) => i % 65);
  let count = 0;
  let started = 0;
  for await (const _ of model.generate(prompt, { maxNewTokens: decode + 1, temperature: 0 })) {
    if (count++ === 0) started = performance.now(); // the first token ends the prefill
  }
  const decodeTokensPerSecond = decode / ((performance.now() - started) / 1000);
  // Prefill: one pass over 256 tokens into a cache, last-position logits.
  const cache = model.createCache(1);
  const ids = [Array.from({ length: 256 }, (_, i) => i % 65)];
  started = performance.now();
  const logits = model.forward(ids, { cache, logits: 'last' });
  await logits.data();
  const prefill256Ms = performance.now() - started;
  dispose(logits);
  cache.dispose();
  // Train: forward, backward, clip, AdamW on a [batch, length] window.
  const tokens = Array.from({ length: 4096 }, (_, i) => (i * 31 + 7) % 65);
  const data = new TokenBatches(tokens, { batchSize: batch, sequenceLength: length, seed: 1 });
  const optimizer = new AdamW(model.parameters(), { learningRate: 1e-3, weightDecay: 0.1 });
  await trainStep(model, optimizer, data.next()); // allocates the optimizer state
  started = performance.now();
  await trainStep(model, optimizer, data.next());
  const trainMsPerIteration = performance.now() - started;
  optimizer.dispose();
  model.dispose();
  return { decodeTokensPerSecond, prefill256Ms, trainMsPerIteration };
}

/** The ONNX Runtime path: decoding and prefill (training stays on tfjs). */
async function measureOrt(
  config: TransformerConfig,
  threads: number,
  decode: number,
): Promise<Numbers> {
  const model = new Transformer(config, { seed: 0 });
  const fast = OnnxTransformer.create(model, { threads });
  const prompt = Array.from({ length: 16 }, (_, i) => i % 65);
  let count = 0;
  let started = 0;
  let cpu = process.cpuUsage();
  for await (const _ of generate(fast, prompt, { maxNewTokens: decode + 1, temperature: 0 })) {
    if (count++ === 0) {
      started = performance.now();
      cpu = process.cpuUsage();
    }
  }
  const decodeTokensPerSecond = decode / ((performance.now() - started) / 1000);
  const { user, system } = process.cpuUsage(cpu);
  const decodeTokensPerCpuSecond = decode / ((user + system) / 1e6);
  let prefill256Ms = Number.NaN;
  if (!ONLY_DECODE) {
    const cache = fast.createCache(1);
    started = performance.now();
    fast.nextLogits([Array.from({ length: 256 }, (_, i) => i % 65)], cache);
    prefill256Ms = performance.now() - started;
  }
  fast.dispose();
  model.dispose();
  return {
    decodeTokensPerSecond,
    decodeTokensPerCpuSecond,
    prefill256Ms,
    trainMsPerIteration: Number.NaN,
  };
}

function measureTorch(
  threads: number,
  name: string,
  batch: number,
  length: number,
  decode: number,
): Numbers | undefined {
  if (!existsSync(PYTHON)) return undefined;
  const script = new URL('./torch_reference.py', import.meta.url).pathname;
  const args = [script, String(threads), name, String(batch), String(length), String(decode), '1'];
  try {
    return JSON.parse(
      execFileSync(PYTHON, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }),
    );
  } catch {
    return undefined; // python3-torch not installed
  }
}

/** Bytes a generation holds once its cache covers the whole context. */
function cacheBytes(config: TransformerConfig): number {
  const model = new Transformer(config, { seed: 0, initialize: false });
  const before = memoryReport().bytes;
  const cache = model.createCache(1);
  dispose(
    model.forward([Array.from({ length: model.config.contextLength }, () => 1)], {
      cache,
      logits: 'last',
    }),
  );
  const bytes = memoryReport().bytes - before;
  cache.dispose();
  model.dispose();
  return bytes;
}

const info = await initCompute({ backend: 'wasm' });
console.log(
  `llmkit on ${info.backend} (${info.device}), ${info.threads} thread; ${ROUNDS} alternating rounds`,
);
const results = new Map<string, Numbers[]>();
const add = (key: string, value: Numbers | undefined): void => {
  if (value !== undefined) results.set(key, [...(results.get(key) ?? []), value]);
};
for (let round = 0; round < ROUNDS; round++) {
  for (const { name, config, batch, length, decode } of SETUPS) {
    if (!ONLY_DECODE)
      add(`llmkit tfjs-wasm|${name}`, await measureLlmkit(config, batch, length, decode));
    for (const threads of [1, 2]) {
      add(
        `llmkit ONNX Runtime, ${threads} thread${threads > 1 ? 's' : ''}|${name}`,
        await measureOrt(config, threads, decode),
      );
    }
    for (const threads of ONLY_DECODE ? [] : [1, 2])
      add(
        `torch 1.13, ${threads} thread${threads > 1 ? 's' : ''}|${name}`,
        measureTorch(threads, name, batch, length, decode),
      );
  }
  console.log(`round ${round + 1} done`);
}

const engines = [...new Set([...results.keys()].map((k) => k.split('|')[0]!))];
const cell = (engine: string, name: string, field: keyof Numbers, digits: number): string => {
  const runs = results.get(`${engine}|${name}`);
  const values = (runs ?? []).flatMap((r) => r[field] ?? []);
  const value = values.length === 0 ? Number.NaN : median(values);
  if (Number.isNaN(value)) return '—';
  if (!ONLY_DECODE) return value.toFixed(digits);
  const low = Math.min(...values).toFixed(digits);
  return `${value.toFixed(digits)} (${low}–${Math.max(...values).toFixed(digits)})`;
};
const rows = engines.map((engine) =>
  [
    engine,
    cell(engine, 'tiny', 'decodeTokensPerSecond', 0),
    cell(engine, 'baby', 'decodeTokensPerSecond', 0),
    cell(engine, 'baby', 'prefill256Ms', 1),
    cell(engine, 'tiny', 'prefill256Ms', 1),
    cell(engine, 'tiny', 'trainMsPerIteration', 1),
    cell(engine, 'baby', 'trainMsPerIteration', 1),
  ].join(' | '),
);
console.log(
  `\n| engine | decode tok/s, tiny | decode tok/s, baby | prefill 256, baby (ms) | prefill 256, tiny (ms) | train ms/iter, tiny [4, 64] | train ms/iter, baby [1, 64] |`,
);
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const row of rows) console.log(`| ${row} |`);
if (ONLY_DECODE) {
  console.log('\nDecode tokens per CPU-second (user + system; one thread: the work itself):');
  for (const engine of engines.filter((e) => e.endsWith('1 thread')))
    console.log(
      `${engine}: tiny ${cell(engine, 'tiny', 'decodeTokensPerCpuSecond', 0)}, baby ${cell(engine, 'baby', 'decodeTokensPerCpuSecond', 0)}`,
    );
} else
  console.log(
    `\nKV cache per sequence at the full context (256): tiny ${(cacheBytes(TINY_GPT) / 2 ** 20).toFixed(2)} MiB, baby ${(cacheBytes(BABY_GPT) / 2 ** 20).toFixed(2)} MiB (2·L·T·C·4 bytes)`,
  );
console.log(`peak FLOP/s known: ${computeInfo()?.peakFlops ?? 'not measured'}`);
