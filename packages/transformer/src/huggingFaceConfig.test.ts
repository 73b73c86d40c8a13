/** config.json conversion both ways, against the files transformers itself wrote. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from './config.js';
import { fromHuggingFaceConfig, toHuggingFaceConfig } from './huggingFaceConfig.js';
import { BABY_GPT, GPT2_SMALL, SMOLLM_135M, TINYLLAMA_1_1B } from './presets.js';

const read = (dir: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../test/fixtures/${dir}/config.json`, import.meta.url), 'utf8'));

describe('fromHuggingFaceConfig', () => {
  it('reads the GPT-2 and Llama configs transformers writes', () => {
    expect(resolveConfig(fromHuggingFaceConfig(read('hf-gpt2')))).toMatchObject({
      vocabSize: 50,
      contextLength: 24,
      layers: 2,
      width: 32,
      heads: 4,
      mlpWidth: 128,
      positions: 'learned',
      gelu: 'tanh',
      tieEmbeddings: true,
      naming: 'gpt2',
    });
    expect(resolveConfig(fromHuggingFaceConfig(read('hf-llama')))).toMatchObject({
      vocabSize: 48,
      kvHeads: 2,
      mlpWidth: 40,
      positions: 'rope',
      ropeBase: 500,
      normEpsilon: 1e-6,
      tieEmbeddings: false,
      bias: false,
      naming: 'llama',
    });
  });

  it('round-trips the published presets', () => {
    for (const preset of [GPT2_SMALL, SMOLLM_135M, TINYLLAMA_1_1B]) {
      const back = resolveConfig(fromHuggingFaceConfig(toHuggingFaceConfig(preset)));
      expect({ ...back, dropout: 0 }).toEqual({ ...resolveConfig(preset), dropout: 0 });
    }
  });

  it('refuses what this package cannot compute, listing every reason', () => {
    const llama = {
      ...read('hf-llama'),
      hidden_act: 'gelu',
      rope_parameters: { rope_type: 'yarn', rope_theta: 1e4 },
    };
    expect(() => fromHuggingFaceConfig(llama)).toThrow(
      /\(1\) RoPE type "yarn".*\(2\) hidden_act "gelu" is not SiLU/,
    );
    expect(() => fromHuggingFaceConfig({ model_type: 'mistral' })).toThrow(
      /expected 'gpt2' or 'llama'/,
    );
    expect(() =>
      fromHuggingFaceConfig({ ...read('hf-gpt2'), activation_function: 'relu' }),
    ).toThrow(/activation_function/);
  });
});

describe('toHuggingFaceConfig', () => {
  it('refuses configs no Hugging Face class computes', () => {
    // nanoGPT's bias-free baby GPT is not a GPT2LMHeadModel.
    expect(() => toHuggingFaceConfig(BABY_GPT)).toThrow(/GPT2LMHeadModel always has biases/);
    expect(() => toHuggingFaceConfig({ ...SMOLLM_135M, norm: 'layernorm', mlp: 'gelu' })).toThrow(
      /\(2\) LlamaForCausalLM uses RMSNorm.*\(3\) LlamaForCausalLM has a gated/,
    );
  });
});
