/**
 * Where every weight lives: Hugging Face tensor names and layouts for a resolved config.
 *
 * GPT-2 (`modeling_gpt2.py`) stores projections as `Conv1D`, weight [in, out], y = x·W + b, with
 * the query, key and value projections fused in `attn.c_attn` (columns: all query heads, then key
 * heads, then value heads). Llama (`modeling_llama.py`) stores `nn.Linear`, weight [out, in],
 * y = x·Wᵀ + b, with separate `q_proj`, `k_proj`, `v_proj`.
 */
import type { ResolvedTransformerConfig } from '../config.js';

/** A projection y = x·W (+ b). */
export interface LinearLayout {
  readonly weight: string;
  readonly bias: string | undefined;
  readonly inputs: number;
  readonly outputs: number;
  /** True when the weight is stored [out, in] (`nn.Linear`), false for [in, out] (`Conv1D`). */
  readonly transposed: boolean;
  /** Projects into the residual stream (GPT-2's scaled initialisation applies). */
  readonly residual: boolean;
}

/** A normalisation's gain (and shift for LayerNorm with biases). */
export interface NormLayout {
  readonly weight: string;
  readonly bias: string | undefined;
  readonly size: number;
}

/** The query/key/value projections: fused (GPT-2 `c_attn`) or separate (Llama). */
export type QkvLayout =
  | { readonly kind: 'fused'; readonly qkv: LinearLayout }
  | {
      readonly kind: 'separate';
      readonly q: LinearLayout;
      readonly k: LinearLayout;
      readonly v: LinearLayout;
    };

export interface BlockLayout {
  readonly norm1: NormLayout;
  readonly qkv: QkvLayout;
  readonly output: LinearLayout;
  readonly norm2: NormLayout;
  /** The MLP's first projection (GPT-2 `c_fc`, Llama `up_proj`). */
  readonly up: LinearLayout;
  /** SwiGLU's gate (Llama `gate_proj`). */
  readonly gate: LinearLayout | undefined;
  readonly down: LinearLayout;
}

export interface ModelLayout {
  readonly tokenEmbedding: string;
  readonly positionEmbedding: string | undefined;
  readonly blocks: readonly BlockLayout[];
  readonly finalNorm: NormLayout;
  /** Absent when the output projection is tied to the token embedding. */
  readonly lmHead: string | undefined;
}

function linear(
  config: ResolvedTransformerConfig,
  name: string,
  inputs: number,
  outputs: number,
  residual = false,
): LinearLayout {
  return {
    weight: `${name}.weight`,
    bias: config.bias ? `${name}.bias` : undefined,
    inputs,
    outputs,
    transposed: config.naming === 'llama',
    residual,
  };
}

function norm(config: ResolvedTransformerConfig, name: string): NormLayout {
  const shift = config.norm === 'layernorm' && config.bias;
  return { weight: `${name}.weight`, bias: shift ? `${name}.bias` : undefined, size: config.width };
}

function block(config: ResolvedTransformerConfig, i: number): BlockLayout {
  const { width: c, heads, kvHeads, headDim, mlpWidth: f } = config;
  const qWidth = heads * headDim;
  const kvWidth = kvHeads * headDim;
  if (config.naming === 'gpt2') {
    const p = `transformer.h.${i}`;
    return {
      norm1: norm(config, `${p}.ln_1`),
      qkv: { kind: 'fused', qkv: linear(config, `${p}.attn.c_attn`, c, qWidth + 2 * kvWidth) },
      output: linear(config, `${p}.attn.c_proj`, qWidth, c, true),
      norm2: norm(config, `${p}.ln_2`),
      up: linear(config, `${p}.mlp.c_fc`, c, f),
      gate: undefined,
      down: linear(config, `${p}.mlp.c_proj`, f, c, true),
    };
  }
  const p = `model.layers.${i}`;
  return {
    norm1: norm(config, `${p}.input_layernorm`),
    qkv: {
      kind: 'separate',
      q: linear(config, `${p}.self_attn.q_proj`, c, qWidth),
      k: linear(config, `${p}.self_attn.k_proj`, c, kvWidth),
      v: linear(config, `${p}.self_attn.v_proj`, c, kvWidth),
    },
    output: linear(config, `${p}.self_attn.o_proj`, qWidth, c, true),
    norm2: norm(config, `${p}.post_attention_layernorm`),
    up: linear(config, `${p}.mlp.up_proj`, c, f),
    gate: config.mlp === 'swiglu' ? linear(config, `${p}.mlp.gate_proj`, c, f) : undefined,
    down: linear(config, `${p}.mlp.down_proj`, f, c, true),
  };
}

/** The layout of every parameter of a model with this config. */
export function modelLayout(config: ResolvedTransformerConfig): ModelLayout {
  const gpt2 = config.naming === 'gpt2';
  return {
    tokenEmbedding: gpt2 ? 'transformer.wte.weight' : 'model.embed_tokens.weight',
    positionEmbedding: config.positions === 'learned' ? 'transformer.wpe.weight' : undefined,
    blocks: Array.from({ length: config.layers }, (_, i) => block(config, i)),
    finalNorm: norm(config, gpt2 ? 'transformer.ln_f' : 'model.norm'),
    lmHead: config.tieEmbeddings ? undefined : 'lm_head.weight',
  };
}

/** The attention projections of a block: query/key/value, then output. */
export function attentionLinears(block: BlockLayout): LinearLayout[] {
  const qkv =
    block.qkv.kind === 'fused' ? [block.qkv.qkv] : [block.qkv.q, block.qkv.k, block.qkv.v];
  return [...qkv, block.output];
}

/** The MLP projections of a block: gate (SwiGLU), up, down. */
export function mlpLinears(block: BlockLayout): LinearLayout[] {
  return [...(block.gate ? [block.gate] : []), block.up, block.down];
}
