/**
 * Causal scaled dot-product attention, o = softmax(scale·q·kᵀ + causal mask)·v, with its
 * float64 reference and its backward:
 *
 *   P = softmax(scale·Q·Kᵀ, masked),  dV = Pᵀ·dO,  dP = dO·Vᵀ,
 *   dS = P ∘ (dP − rowsum(dO ∘ O)),  dQ = scale·dS·K,  dK = scale·dSᵀ·Q
 *
 * (Dao et al. 2022, FlashAttention, arXiv:2205.14135, Algorithms 1–2; FlashAttention-2,
 * arXiv:2307.08691, for the per-tile rescaling). Queries are the last T of S key positions:
 * query i sees keys j ≤ i + (S − T). Tensors are [BH, T, D] (q) and [BH, S, D] (k, v), BH being
 * batch × heads. The WebGPU kernels are in `webgpu/attentionShaders.ts` (forward) and
 * `webgpu/attentionBackwardShaders.ts`.
 */
import type { GradConfig, NamedAttrMap, Tensor } from '@tensorflow/tfjs-core';
import { tf } from '../internal/engine.js';

export const CAUSAL_ATTENTION = 'LlmkitCausalAttention';
export const CAUSAL_ATTENTION_GRAD_Q = 'LlmkitCausalAttentionGradQ';
export const CAUSAL_ATTENTION_GRAD_KV = 'LlmkitCausalAttentionGradKV';

export interface CausalAttentionAttrs {
  scale: number;
}

/** Sizes of one attention call. */
export interface AttentionDims {
  readonly bh: number;
  readonly t: number;
  readonly s: number;
  readonly d: number;
}

/** Attention probabilities of one (bh, query) row in float64; zeros beyond the visible keys. */
function probabilities(
  q: ArrayLike<number>,
  k: ArrayLike<number>,
  b: number,
  i: number,
  dims: AttentionDims,
  scale: number,
): Float64Array {
  const { t, s, d } = dims;
  const visible = i + (s - t) + 1;
  const scores = new Float64Array(s);
  let max = Number.NEGATIVE_INFINITY;
  for (let j = 0; j < visible; j++) {
    let dot = 0;
    for (let c = 0; c < d; c++) dot += q[(b * t + i) * d + c]! * k[(b * s + j) * d + c]!;
    scores[j] = scale * dot;
    max = Math.max(max, scores[j]!);
  }
  let sum = 0;
  for (let j = 0; j < visible; j++) sum += Math.exp(scores[j]! - max);
  for (let j = 0; j < s; j++) scores[j] = j < visible ? Math.exp(scores[j]! - max) / sum : 0;
  return scores;
}

/** Reference forward in float64: o [BH, T, D]. */
export function causalAttentionReference(
  q: ArrayLike<number>,
  k: ArrayLike<number>,
  v: ArrayLike<number>,
  dims: AttentionDims,
  scale: number,
): Float64Array {
  const { bh, t, s, d } = dims;
  const o = new Float64Array(bh * t * d);
  for (let b = 0; b < bh; b++) {
    for (let i = 0; i < t; i++) {
      const p = probabilities(q, k, b, i, dims, scale);
      for (let j = 0; j < s; j++) {
        for (let c = 0; c < d; c++) o[(b * t + i) * d + c]! += p[j]! * v[(b * s + j) * d + c]!;
      }
    }
  }
  return o;
}

/** Reference backward in float64: gradients of Σ dO ∘ o. */
export function causalAttentionGradReference(
  dO: ArrayLike<number>,
  q: ArrayLike<number>,
  k: ArrayLike<number>,
  v: ArrayLike<number>,
  dims: AttentionDims,
  scale: number,
): { dq: Float64Array; dk: Float64Array; dv: Float64Array } {
  const { bh, t, s, d } = dims;
  const dq = new Float64Array(q.length);
  const dk = new Float64Array(k.length);
  const dv = new Float64Array(v.length);
  for (let b = 0; b < bh; b++) {
    for (let i = 0; i < t; i++) {
      const p = probabilities(q, k, b, i, dims, scale);
      const dp = new Float64Array(s);
      let rowDot = 0;
      for (let j = 0; j < s; j++) {
        for (let c = 0; c < d; c++) {
          dv[(b * s + j) * d + c]! += p[j]! * dO[(b * t + i) * d + c]!;
          dp[j]! += dO[(b * t + i) * d + c]! * v[(b * s + j) * d + c]!;
        }
        rowDot += p[j]! * dp[j]!;
      }
      for (let j = 0; j < s; j++) {
        const ds = p[j]! * (dp[j]! - rowDot);
        for (let c = 0; c < d; c++) {
          dq[(b * t + i) * d + c]! += scale * ds * k[(b * s + j) * d + c]!;
          dk[(b * s + j) * d + c]! += scale * ds * q[(b * t + i) * d + c]!;
        }
      }
    }
  }
  return { dq, dk, dv };
}

/**
 * The gradient of the fused forward (outputs o and the row log-sum-exp): rowsum(dO ∘ o) with
 * engine operations, then one kernel for dQ and one for dK and dV.
 */
export const causalAttentionGradient: GradConfig = {
  kernelName: CAUSAL_ATTENTION,
  inputsToSave: ['q', 'k', 'v'],
  outputsToSave: [true, true],
  gradFunc: (dys, saved, attrs) => {
    const [dO] = dys as Tensor[];
    const [q, k, v, o, lse] = saved as Tensor[];
    const delta = tf.sum(tf.mul(dO!, o!), -1, true);
    const inputs = { q: q!, k: k!, v: v!, dO: dO!, lse: lse!, delta };
    const dq = tf
      .engine()
      .runKernel(CAUSAL_ATTENTION_GRAD_Q, inputs, attrs as NamedAttrMap) as Tensor;
    const [dk, dv] = tf
      .engine()
      .runKernel(CAUSAL_ATTENTION_GRAD_KV, inputs, attrs as NamedAttrMap) as Tensor[];
    return { q: () => dq, k: () => dk!, v: () => dv! };
  },
};
