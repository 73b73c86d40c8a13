/**
 * Configs of published models (same shapes, same tensor names, same parameter counts) and the
 * small configs the benchmarks use. The counts in the comments are Hugging Face's
 * `num_parameters()` for the model built from the cited `config.json` (tied embeddings counted
 * once); `test/fixtures/parameter_counts.py` recomputes them with transformers.
 */
import type { TransformerConfig } from './config.js';

const GPT2_BASE = {
  vocabSize: 50257,
  contextLength: 1024,
  positions: 'learned',
  norm: 'layernorm',
  normEpsilon: 1e-5,
  mlp: 'gelu',
  gelu: 'tanh',
  tieEmbeddings: true,
  bias: true,
  dropout: 0.1,
  naming: 'gpt2',
} as const;

/** GPT-2 small (Radford et al. 2019; Hugging Face `gpt2`): 124,439,808 parameters. @public */
export const GPT2_SMALL: TransformerConfig = { ...GPT2_BASE, layers: 12, width: 768, heads: 12 };
/** GPT-2 medium (`gpt2-medium`): 354,823,168 parameters. @public */
export const GPT2_MEDIUM: TransformerConfig = { ...GPT2_BASE, layers: 24, width: 1024, heads: 16 };
/** GPT-2 large (`gpt2-large`): 774,030,080 parameters. @public */
export const GPT2_LARGE: TransformerConfig = { ...GPT2_BASE, layers: 36, width: 1280, heads: 20 };
/** GPT-2 XL (`gpt2-xl`): 1,557,611,200 parameters. @public */
export const GPT2_XL: TransformerConfig = { ...GPT2_BASE, layers: 48, width: 1600, heads: 25 };

const LLAMA_BASE = {
  positions: 'rope',
  ropeBase: 10000,
  norm: 'rmsnorm',
  normEpsilon: 1e-5,
  mlp: 'swiglu',
  bias: false,
  dropout: 0,
  naming: 'llama',
} as const;

/**
 * SmolLM-135M (Hugging Face `HuggingFaceTB/SmolLM-135M`), a Llama-architecture model with
 * grouped-query attention (9 query heads, 3 key/value heads) and tied embeddings:
 * 134,515,008 parameters.
 * @public
 */
export const SMOLLM_135M: TransformerConfig = {
  ...LLAMA_BASE,
  vocabSize: 49152,
  contextLength: 2048,
  layers: 30,
  width: 576,
  heads: 9,
  kvHeads: 3,
  mlpWidth: 1536,
  tieEmbeddings: true,
};

/**
 * TinyLlama-1.1B (Zhang et al. 2024, arXiv:2401.02385; `TinyLlama/TinyLlama-1.1B-intermediate-step-1431k-3T`):
 * Llama 2's architecture at 22 layers with 4 key/value heads, 1,100,048,384 parameters.
 * @public
 */
export const TINYLLAMA_1_1B: TransformerConfig = {
  ...LLAMA_BASE,
  vocabSize: 32000,
  contextLength: 2048,
  layers: 22,
  width: 2048,
  heads: 32,
  kvHeads: 4,
  mlpWidth: 5632,
  tieEmbeddings: false,
};

/**
 * The small nanoGPT-shaped model of the benchmarks: 4 layers, width 128, 4 heads, a
 * character-level vocabulary of 65 (nanoGPT's Shakespeare), context 256, no biases (nanoGPT's
 * `bias = False`): 828,672 parameters.
 * @public
 */
export const TINY_GPT: TransformerConfig = {
  ...GPT2_BASE,
  vocabSize: 65,
  contextLength: 256,
  layers: 4,
  width: 128,
  heads: 4,
  bias: false,
  dropout: 0,
};

/**
 * nanoGPT's "baby GPT" (`config/train_shakespeare_char.py`): 6 layers, width 384, 6 heads,
 * context 256, vocabulary 65, dropout 0.2, no biases: 10,745,088 parameters (nanoGPT prints
 * 10.65M, which leaves out the 98,304 position embeddings).
 * @public
 */
export const BABY_GPT: TransformerConfig = {
  ...GPT2_BASE,
  vocabSize: 65,
  contextLength: 256,
  layers: 6,
  width: 384,
  heads: 6,
  bias: false,
  dropout: 0.2,
};
