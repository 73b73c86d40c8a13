/** Small configs and helpers shared by the tests. */
import { Random } from '@llmkit/numeric';
import { initCompute, type NamedVariables, ops } from '@llmkit/tensor-gpu';
import type { TransformerConfig } from '../src/config.js';
import { Transformer } from '../src/transformer.js';

/** GPT-2 in miniature: learned positions, LayerNorm, tanh GELU, fused QKV, tied embeddings. */
export const SMALL_GPT2: TransformerConfig = {
  vocabSize: 50,
  contextLength: 24,
  layers: 2,
  width: 32,
  heads: 4,
  naming: 'gpt2',
};

/** Llama in miniature: RoPE, RMSNorm, SwiGLU, grouped-query attention (4 heads, 2 kv), untied. */
export const SMALL_LLAMA: TransformerConfig = {
  vocabSize: 48,
  contextLength: 24,
  layers: 2,
  width: 32,
  heads: 4,
  kvHeads: 2,
  mlpWidth: 40,
  positions: 'rope',
  ropeBase: 500,
  norm: 'rmsnorm',
  normEpsilon: 1e-6,
  mlp: 'swiglu',
  tieEmbeddings: false,
  bias: false,
};

/** Starts the wasm backend (the fast CPU path) once per test file. */
export async function startCompute(): Promise<void> {
  await initCompute({ backend: 'wasm' });
}

/** The parameters' values by name, read from the device. */
export function readWeights(parameters: NamedVariables): Map<string, Float32Array> {
  return new Map(
    Object.entries(parameters).map(([name, v]) => [name, v.dataSync() as Float32Array] as const),
  );
}

/** Largest |a − b| over two equal-length arrays. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} ≠ ${b.length}`);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

/**
 * Gives every parameter seeded values large enough that every nonlinearity matters (std 0.3;
 * norm gains around 1), so a wrong layout or a missing term changes the logits visibly.
 */
export function randomizeWeights(parameters: NamedVariables, seed: number): void {
  const root = new Random(seed);
  for (const [name, variable] of Object.entries(parameters)) {
    const rng = root.fork(name);
    const isGain = /norm|ln_/.test(name) && name.endsWith('.weight');
    const values = Float32Array.from({ length: variable.size }, () =>
      rng.normal(isGain ? 1 : 0, isGain ? 0.2 : 0.3),
    );
    variable.assign(ops.tensor(values, variable.shape));
  }
}

/** The two models whose Hugging Face round trip is pinned by fixtures (see `llmkit_checkpoints.ts`). */
export function goldenModels(): { 'llmkit-gpt2': Transformer; 'llmkit-llama': Transformer } {
  const gpt2 = new Transformer(SMALL_GPT2, { initialize: false });
  randomizeWeights(gpt2.parameters(), 101);
  const llama = new Transformer(SMALL_LLAMA, { initialize: false });
  randomizeWeights(llama.parameters(), 102);
  return { 'llmkit-gpt2': gpt2, 'llmkit-llama': llama };
}

/** Token ids the golden logits are computed for (within both small vocabularies). */
export const GOLDEN_IDS: readonly (readonly number[])[] = [
  [3, 17, 0, 9, 9, 41, 2, 30, 11, 5, 25, 1, 44, 47, 8, 13],
  [40, 1, 1, 1, 7, 22, 35, 19, 28, 2, 46, 3, 15, 10, 4, 6],
];
