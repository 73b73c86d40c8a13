/**
 * Hugging Face `config.json` ⇄ {@link TransformerConfig}, for `GPT2LMHeadModel`
 * (`configuration_gpt2.py`) and `LlamaForCausalLM` (`configuration_llama.py`). A config that
 * one of those classes cannot express is refused with every reason listed, both ways: a model
 * file is only useful if the other side computes the same function.
 *
 * Llama's RoPE base is written both as transformers 5's `rope_parameters` and as the older
 * top-level `rope_theta`, so either major version reads it.
 */
import { describeValue } from '@llmkit/numeric';
import { type ResolvedTransformerConfig, resolveConfig, type TransformerConfig } from './config.js';
import { TransformerError } from './errors.js';

/** A parsed `config.json`. @public */
export type HuggingFaceConfig = Readonly<Record<string, unknown>>;

function refuse(fn: string, argument: string, problems: string[]): never {
  throw new TransformerError({
    code: 'INVALID_ARGUMENT',
    fn,
    argument,
    detail: `${problems.map((p, i) => `(${i + 1}) ${p}`).join('; ')}.`,
  });
}

/** Why a config has no exact Hugging Face counterpart (empty when it has one). */
function incompatibilities(config: ResolvedTransformerConfig): string[] {
  const problems: string[] = [];
  if (config.naming === 'gpt2') {
    if (config.positions !== 'learned')
      problems.push('GPT2LMHeadModel has learned positions, not RoPE');
    if (config.norm !== 'layernorm') problems.push('GPT2LMHeadModel uses LayerNorm, not RMSNorm');
    if (!config.bias)
      problems.push('GPT2LMHeadModel always has biases (bias: false has no counterpart)');
    if (config.kvHeads !== config.heads)
      problems.push('GPT2LMHeadModel has no grouped-query attention');
  } else {
    if (config.norm !== 'rmsnorm') problems.push('LlamaForCausalLM uses RMSNorm, not LayerNorm');
    if (config.mlp !== 'swiglu') problems.push('LlamaForCausalLM has a gated (SwiGLU) MLP');
  }
  return problems;
}

/**
 * The `config.json` of the Hugging Face class with the same architecture.
 * @throws TransformerError `INVALID_ARGUMENT` listing what the config has that the class lacks.
 * @public
 */
export function toHuggingFaceConfig(config: TransformerConfig): HuggingFaceConfig {
  const fn = 'toHuggingFaceConfig';
  const c = resolveConfig(config, fn);
  const problems = incompatibilities(c);
  if (problems.length > 0)
    refuse(fn, 'config', [`no Hugging Face class computes this model`, ...problems]);
  if (c.naming === 'gpt2') {
    return {
      architectures: ['GPT2LMHeadModel'],
      model_type: 'gpt2',
      vocab_size: c.vocabSize,
      n_positions: c.contextLength,
      n_embd: c.width,
      n_layer: c.layers,
      n_head: c.heads,
      n_inner: c.mlpWidth,
      activation_function: c.gelu === 'tanh' ? 'gelu_new' : 'gelu',
      layer_norm_epsilon: c.normEpsilon,
      resid_pdrop: c.dropout,
      embd_pdrop: c.dropout,
      attn_pdrop: c.dropout,
      initializer_range: c.initStd,
      scale_attn_weights: true,
      scale_attn_by_inverse_layer_idx: false,
      tie_word_embeddings: c.tieEmbeddings,
    };
  }
  return {
    architectures: ['LlamaForCausalLM'],
    model_type: 'llama',
    vocab_size: c.vocabSize,
    max_position_embeddings: c.contextLength,
    hidden_size: c.width,
    intermediate_size: c.mlpWidth,
    num_hidden_layers: c.layers,
    num_attention_heads: c.heads,
    num_key_value_heads: c.kvHeads,
    head_dim: c.headDim,
    hidden_act: 'silu',
    rms_norm_eps: c.normEpsilon,
    rope_theta: c.ropeBase,
    rope_parameters: { rope_type: 'default', rope_theta: c.ropeBase },
    rope_scaling: null,
    attention_bias: c.bias,
    mlp_bias: c.bias,
    attention_dropout: c.dropout,
    initializer_range: c.initStd,
    tie_word_embeddings: c.tieEmbeddings,
  };
}

/**
 * The {@link TransformerConfig} of a Hugging Face GPT-2 or Llama `config.json`.
 * @throws TransformerError `INVALID_ARGUMENT` listing every field this package cannot honour
 *   (another `model_type`, RoPE scaling, an activation other than GPT-2's or SiLU, …).
 * @public
 */
export function fromHuggingFaceConfig(json: HuggingFaceConfig): TransformerConfig {
  const fn = 'fromHuggingFaceConfig';
  if (typeof json !== 'object' || json === null)
    refuse(fn, 'json', [`expected a parsed config.json object, received ${describeValue(json)}`]);
  const problems: string[] = [];
  const number = (key: string, fallback?: number): number => {
    const value = json[key] ?? fallback;
    if (typeof value !== 'number')
      problems.push(`${key} must be a number, received ${describeValue(value)}`);
    return value as number;
  };
  let config: TransformerConfig;
  if (json.model_type === 'gpt2') {
    const activation = json.activation_function ?? 'gelu_new';
    if (!['gelu_new', 'gelu_pytorch_tanh', 'gelu'].includes(activation as string)) {
      problems.push(
        `activation_function ${describeValue(activation)} is not GPT-2's tanh GELU or the exact GELU`,
      );
    }
    if (json.scale_attn_weights === false)
      problems.push('scale_attn_weights false (unscaled attention) is not supported');
    if (json.scale_attn_by_inverse_layer_idx === true)
      problems.push('scale_attn_by_inverse_layer_idx is not supported');
    const width = number('n_embd');
    config = {
      vocabSize: number('vocab_size'),
      contextLength: number('n_positions'),
      layers: number('n_layer'),
      width,
      heads: number('n_head'),
      mlpWidth: typeof json.n_inner === 'number' ? json.n_inner : 4 * width,
      positions: 'learned',
      norm: 'layernorm',
      normEpsilon: number('layer_norm_epsilon', 1e-5),
      mlp: 'gelu',
      gelu: activation === 'gelu' ? 'exact' : 'tanh',
      tieEmbeddings: json.tie_word_embeddings !== false, // GPT2Config default: tied
      bias: true,
      dropout: number('resid_pdrop', 0.1),
      naming: 'gpt2',
    };
  } else if (json.model_type === 'llama') {
    const rope = (json.rope_parameters ?? {}) as Record<string, unknown>;
    const ropeType = rope.rope_type ?? 'default';
    if (ropeType !== 'default')
      problems.push(`RoPE type ${describeValue(ropeType)} (scaled RoPE) is not supported`);
    if (json.rope_scaling !== undefined && json.rope_scaling !== null)
      problems.push('rope_scaling is not supported');
    if ((json.hidden_act ?? 'silu') !== 'silu')
      problems.push(`hidden_act ${describeValue(json.hidden_act)} is not SiLU`);
    const width = number('hidden_size');
    const heads = number('num_attention_heads');
    if (json.head_dim !== undefined && json.head_dim !== null && json.head_dim !== width / heads) {
      problems.push(
        `head_dim ${describeValue(json.head_dim)} differs from hidden_size / num_attention_heads`,
      );
    }
    if (json.attention_bias !== json.mlp_bias && json.mlp_bias !== undefined) {
      problems.push('attention_bias and mlp_bias differ; both must be on or off');
    }
    config = {
      vocabSize: number('vocab_size'),
      contextLength: number('max_position_embeddings'),
      layers: number('num_hidden_layers'),
      width,
      heads,
      kvHeads: number('num_key_value_heads', heads),
      mlpWidth: number('intermediate_size'),
      positions: 'rope',
      ropeBase: typeof rope.rope_theta === 'number' ? rope.rope_theta : number('rope_theta', 10000),
      norm: 'rmsnorm',
      normEpsilon: number('rms_norm_eps', 1e-6),
      mlp: 'swiglu',
      tieEmbeddings: json.tie_word_embeddings === true, // LlamaConfig default: untied
      bias: json.attention_bias === true,
      dropout: number('attention_dropout', 0),
      naming: 'llama',
    };
  } else {
    refuse(fn, 'json.model_type', [
      `expected 'gpt2' or 'llama', received ${describeValue(json.model_type)}`,
    ]);
  }
  if (problems.length > 0) refuse(fn, 'json', problems);
  resolveConfig(config, fn);
  return config;
}
