/**
 * Causal self-attention with grouped-query heads (Vaswani et al. 2017; GQA: Ainslie et al.
 * 2023), as Hugging Face's `GPT2Attention` and `LlamaAttention` compute it:
 *
 *   softmax(q·kᵀ/√d + bias)·v, with bias 0 where a query may look and −1e9 elsewhere.
 *
 * With G = H/K query heads per key/value head, the G queries of a group are stacked along the
 * time axis ([B, K, G·T, d]) and multiplied against their shared keys in one product, so keys
 * and values are never repeated in memory (`repeat_kv` in transformers copies them).
 */
import { causalSoftmax, ops, type Tensor } from '@llmkit/tensor-gpu';
import type { ResolvedTransformerConfig } from '../config.js';
import { linear, type Weights } from './layers.js';
import type { BlockLayout } from './layout.js';
import { applyRope } from './rope.js';

/** What one attention call needs besides its input. */
export interface AttentionContext {
  /** RoPE tables for this chunk's positions, [B, 1, T, d]. */
  readonly rope: { readonly cos: Tensor; readonly sin: Tensor } | undefined;
  /**
   * Without padding and with one query head per key/value head, tensor-gpu's fused causal
   * softmax applies the mask; otherwise `bias` does.
   */
  readonly causal: boolean;
  /** Additive mask [1 or B, 1, G·T, S] over the S = past + T keys; undefined when every key is visible. */
  readonly bias: Tensor | undefined;
  /** Keys and values of earlier positions, [B, K, past, d] each. */
  readonly past: { readonly keys: Tensor; readonly values: Tensor } | undefined;
  /** Dropout on attention weights and on the residual branch (identity outside training). */
  readonly dropout: (x: Tensor) => Tensor;
}

/** The new residual contribution [B·T, C] and the keys/values to cache, [B, K, S, d]. */
export interface AttentionResult {
  readonly output: Tensor;
  readonly keys: Tensor;
  readonly values: Tensor;
}

/** [B·T, n·d] → [B, n, T, d] (one position needs no transpose). */
function heads(x: Tensor, batch: number, length: number, count: number, d: number): Tensor {
  if (length === 1) return ops.reshape(x, [batch, count, 1, d]);
  return ops.transpose(ops.reshape(x, [batch, length, count, d]), [0, 2, 1, 3]);
}

/**
 * One attention sub-layer on the normalised input `x` [B·T, C].
 */
export function attention(
  config: ResolvedTransformerConfig,
  weights: Weights,
  block: BlockLayout,
  x: Tensor,
  batch: number,
  length: number,
  context: AttentionContext,
): AttentionResult {
  const { heads: h, kvHeads: k, headDim: d } = config;
  const g = h / k;
  let q: Tensor;
  let kNew: Tensor;
  let vNew: Tensor;
  if (block.qkv.kind === 'fused') {
    const qkv = linear(weights, block.qkv.qkv, x);
    [q, kNew, vNew] = ops.split(qkv, [h * d, k * d, k * d], 1) as [Tensor, Tensor, Tensor];
  } else {
    q = linear(weights, block.qkv.q, x);
    kNew = linear(weights, block.qkv.k, x);
    vNew = linear(weights, block.qkv.v, x);
  }
  q = heads(q, batch, length, h, d); // [B, H, T, d]
  kNew = heads(kNew, batch, length, k, d); // [B, K, T, d]
  vNew = heads(vNew, batch, length, k, d);
  if (context.rope !== undefined) {
    q = applyRope(q, context.rope.cos, context.rope.sin);
    kNew = applyRope(kNew, context.rope.cos, context.rope.sin);
  }
  const keys = context.past ? ops.concat([context.past.keys, kNew], 2) : kNew; // [B, K, S, d]
  const values = context.past ? ops.concat([context.past.values, vNew], 2) : vNew;

  const grouped = ops.reshape(q, [batch, k, g * length, d]);
  const raw = ops.matMul(grouped, keys, false, true);
  let probabilities: Tensor; // [B, K, G·T, S]
  if (context.causal) probabilities = causalSoftmax(raw, 1 / Math.sqrt(d));
  else {
    const scaled = ops.mul(raw, 1 / Math.sqrt(d));
    probabilities = ops.softmax(
      context.bias === undefined ? scaled : ops.add(scaled, context.bias),
    );
  }
  probabilities = context.dropout(probabilities);
  const mixed = ops.reshape(ops.matMul(probabilities, values), [batch, h, length, d]);
  const merged = ops.reshape(length === 1 ? mixed : ops.transpose(mixed, [0, 2, 1, 3]), [
    batch * length,
    h * d,
  ]);
  const output = context.dropout(linear(weights, block.output, merged));
  return { output, keys, values };
}

/** A large negative score: exp underflows to exactly 0 next to any real score, without NaN rows. */
export const MASKED = -1e9;

/**
 * The additive attention mask for a chunk of T queries after `past` cached positions, as
 * row-major values of shape [1 or B, 1, G·T, S], or undefined when there is nothing to hide
 * (one query, no padding). Query i of row b (absolute slot past + i) may look at slot
 * j ≤ past + i whose key is a real token (`keyMask[b·S + j]` = 1). Without padding one mask
 * serves every row.
 */
export function attentionBiasValues(
  batch: number,
  length: number,
  past: number,
  groups: number,
  keyMask: Uint8Array | undefined,
): { values: Float32Array; shape: number[] } | undefined {
  if (length === 1 && keyMask === undefined) return undefined;
  const s = past + length;
  const rows = keyMask === undefined ? 1 : batch;
  const values = new Float32Array(rows * groups * length * s);
  for (let b = 0; b < rows; b++) {
    for (let gi = 0; gi < groups; gi++) {
      for (let i = 0; i < length; i++) {
        const offset = ((b * groups + gi) * length + i) * s;
        for (let j = 0; j < s; j++) {
          const visible = j <= past + i && (keyMask === undefined || keyMask[b * s + j] === 1);
          if (!visible) values[offset + j] = MASKED;
        }
      }
    }
  }
  return { values, shape: [rows, 1, groups * length, s] };
}

/** {@link attentionBiasValues} as a tensor. */
export function attentionBias(
  batch: number,
  length: number,
  past: number,
  groups: number,
  keyMask: Uint8Array | undefined,
): Tensor | undefined {
  const bias = attentionBiasValues(batch, length, past, groups, keyMask);
  return bias === undefined ? undefined : ops.tensor(bias.values, bias.shape);
}
