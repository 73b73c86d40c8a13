/**
 * Greedy decoding of the benchmark configs (TINY_GPT, BABY_GPT) through llmkit's
 * `OnnxTransformer` and through transformers.js (`@huggingface/transformers`, ONNX Runtime
 * inside), which loads the same weights exported in Hugging Face optimum's layout
 * (`exportOnnx(model, { layout: 'optimum' })`, `config.json` with model_type gpt2) from a local
 * folder with remote models disabled. Both run onnxruntime-node with the given intra-op threads;
 * rounds alternate; medians and ranges are reported, and the two engines' tokens are compared.
 * transformers.js is given token ids (the char-level models have no tokenizer.json to load).
 *
 * Run: npm run bench:transformersjs -w @llmkit/transformer   (ROUNDS=7, THREADS=1 by default)
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AutoModelForCausalLM, env, Tensor } from '@huggingface/transformers';
import { initCompute } from '@llmkit/tensor-gpu';
import { encodeOnnxModel } from '@llmkit/tensor-gpu/onnx';
import {
  BABY_GPT,
  generate,
  TINY_GPT,
  Transformer,
  type TransformerConfig,
} from '@llmkit/transformer';
import { exportOnnx, OnnxTransformer } from '@llmkit/transformer/onnx';

const ROUNDS = Number(process.env.ROUNDS ?? 7);
const THREADS = Number(process.env.THREADS ?? 1);
const PROMPT = Array.from({ length: 16 }, (_, i) => i % 65);
const SETUPS = [
  { name: 'tiny', config: TINY_GPT, decode: 200 },
  { name: 'baby', config: BABY_GPT, decode: 100 },
] as const;

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/**
 * Writes the model folder transformers.js reads: config.json (the GPT-2 shape fields it uses to
 * size the cache; the graph itself computes the model, biases absent) and onnx/model.onnx.
 */
function writeOptimumFolder(root: string, name: string, model: Transformer): void {
  const dir = join(root, name);
  mkdirSync(join(dir, 'onnx'), { recursive: true });
  const c = model.config;
  const config = {
    architectures: ['GPT2LMHeadModel'],
    model_type: 'gpt2',
    vocab_size: c.vocabSize,
    n_positions: c.contextLength,
    n_embd: c.width,
    n_layer: c.layers,
    n_head: c.heads,
    use_cache: true,
  };
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config, null, 2));
  const graph = exportOnnx(model, { layout: 'optimum' });
  writeFileSync(join(dir, 'onnx', 'model.onnx'), encodeOnnxModel(graph));
}

/** Tokens per second after the first generated token (the prefill), and the tokens. */
async function llmkitDecode(fast: OnnxTransformer, decode: number): Promise<[number, number[]]> {
  const tokens: number[] = [];
  let started = 0;
  for await (const token of generate(fast, PROMPT, { maxNewTokens: decode + 1, temperature: 0 })) {
    if (tokens.length === 0) started = performance.now();
    tokens.push(token);
  }
  return [decode / ((performance.now() - started) / 1000), tokens];
}

interface CausalLm {
  generate(options: Record<string, unknown>): Promise<unknown>;
  dispose(): Promise<unknown>;
}

async function transformersJsDecode(model: CausalLm, decode: number): Promise<[number, number[]]> {
  const stamps: number[] = [];
  const tokens: number[] = [];
  // put() gets the prompt's rows first, then each step's new token per row.
  const streamer = {
    put(value: bigint[][]) {
      if (stamps.length > 0) tokens.push(Number(value[0]![0]));
      stamps.push(performance.now());
    },
    end() {},
  };
  const input_ids = new Tensor('int64', BigInt64Array.from(PROMPT, BigInt), [1, PROMPT.length]);
  await model.generate({ input_ids, max_new_tokens: decode + 1, do_sample: false, streamer });
  const first = stamps[1]!; // timing starts at the first new token, as for llmkit
  return [decode / ((stamps.at(-1)! - first) / 1000), tokens];
}

await initCompute({ backend: 'wasm' });
const root = mkdtempSync(join(tmpdir(), 'llmkit-transformersjs-'));
env.allowRemoteModels = false;
env.localModelPath = root;
const rates = new Map<string, number[]>();
const agree = new Map<string, boolean>();
try {
  for (const { name, config } of SETUPS) {
    const model = new Transformer(config as TransformerConfig, { seed: 0 });
    writeOptimumFolder(root, name, model);
    model.dispose();
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (const { name, config, decode } of SETUPS) {
      const model = new Transformer(config as TransformerConfig, { seed: 0 });
      const fast = OnnxTransformer.create(model, { threads: THREADS });
      const hf = (await AutoModelForCausalLM.from_pretrained(name, {
        dtype: 'fp32',
        device: 'cpu',
        session_options: { intraOpNumThreads: THREADS, interOpNumThreads: 1 },
      })) as unknown as CausalLm;
      const order = round % 2 === 0 ? ['llmkit', 'transformers.js'] : ['transformers.js', 'llmkit'];
      const tokens: Record<string, number[]> = {};
      for (const engine of order) {
        const [rate, out] =
          engine === 'llmkit'
            ? await llmkitDecode(fast, decode)
            : await transformersJsDecode(hf, decode);
        rates.set(`${engine}|${name}`, [...(rates.get(`${engine}|${name}`) ?? []), rate]);
        tokens[engine] = out;
      }
      agree.set(
        name,
        (agree.get(name) ?? true) && tokens.llmkit!.join() === tokens['transformers.js']!.join(),
      );
      await hf.dispose();
      fast.dispose();
      model.dispose();
    }
    console.log(`round ${round + 1} done`);
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
const cell = (engine: string, name: string): string => {
  const values = rates.get(`${engine}|${name}`) ?? [];
  return `${median(values).toFixed(0)} (${Math.min(...values).toFixed(0)}–${Math.max(...values).toFixed(0)})`;
};
console.log(
  `\n| engine, ${THREADS} thread${THREADS > 1 ? 's' : ''} | decode tok/s, tiny | decode tok/s, baby |`,
);
console.log('| --- | --- | --- |');
for (const engine of ['llmkit', 'transformers.js'])
  console.log(`| ${engine} | ${cell(engine, 'tiny')} | ${cell(engine, 'baby')} |`);
for (const { name } of SETUPS) {
  const ratio =
    median(rates.get(`llmkit|${name}`)!) / median(rates.get(`transformers.js|${name}`)!);
  console.log(
    `${name}: llmkit / transformers.js ${ratio.toFixed(2)}×; same greedy tokens: ${agree.get(name)}`,
  );
}
