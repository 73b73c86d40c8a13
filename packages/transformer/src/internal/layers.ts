/**
 * The per-position pieces of a block on tensors: projections in either weight layout, LayerNorm,
 * RMSNorm, GELU (tanh and exact) and the two MLP forms. Attention is in `attention.ts`.
 */
import { gelu as fusedGelu, layerNorm, ops, rmsNorm, type Tensor } from '@llmkit/tensor-gpu';
import type { GeluKind, NormKind } from '../config.js';
import type { LinearLayout, NormLayout } from './layout.js';

/** Parameter tensors by Hugging Face name. */
export type Weights = ReadonlyMap<string, Tensor>;

export function weight(weights: Weights, name: string): Tensor {
  const w = weights.get(name);
  if (w === undefined) throw new Error(`internal: no parameter named ${name}`);
  return w;
}

/** y = x·W + b for x [N, in]: Conv1D layout W [in, out], or nn.Linear W [out, in] used transposed. */
export function linear(weights: Weights, layout: LinearLayout, x: Tensor): Tensor {
  const y = ops.matMul(x, weight(weights, layout.weight), false, layout.transposed);
  return layout.bias === undefined ? y : ops.add(y, weight(weights, layout.bias));
}

/**
 * LayerNorm (Ba et al. 2016; biased variance, as `torch.nn.LayerNorm`) or RMSNorm
 * (Zhang & Sennrich 2019; `LlamaRMSNorm`: x · rsqrt(mean(x²) + ε) · g) over the last axis,
 * through tensor-gpu's fused kernels.
 */
export function normalize(
  weights: Weights,
  layout: NormLayout,
  kind: NormKind,
  epsilon: number,
  x: Tensor,
): Tensor {
  const gain = weight(weights, layout.weight);
  if (kind === 'rmsnorm') return rmsNorm(x, gain, epsilon);
  const shift = layout.bias === undefined ? ops.zerosLike(gain) : weight(weights, layout.bias);
  return layerNorm(x, gain, shift, epsilon);
}

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/**
 * GELU (Hendrycks & Gimpel 2016): exact x·Φ(x) = ½x(1 + erf(x/√2)), or GPT-2's tanh form
 * ½x(1 + tanh(√(2/π)(x + 0.044715x³))) (`gelu_new` in Hugging Face's `activations.py`).
 */
export function gelu(x: Tensor, kind: GeluKind): Tensor {
  if (kind === 'exact') return fusedGelu(x);
  const half = ops.mul(x, 0.5);
  const inner = ops.mul(ops.add(x, ops.mul(ops.mul(ops.square(x), x), 0.044715)), SQRT_2_OVER_PI);
  return ops.mul(half, ops.add(ops.tanh(inner), 1));
}

/** SiLU x·σ(x) (Elfwing et al. 2018), SwiGLU's gate activation. */
export function silu(x: Tensor): Tensor {
  return ops.mul(x, ops.sigmoid(x));
}

/**
 * The feed-forward sub-layer on x [N, C]: GPT-2's down(gelu(up(x))) or SwiGLU's
 * down(silu(gate(x)) ⊙ up(x)) (Shazeer 2020, `LlamaMLP`).
 */
export function mlp(
  weights: Weights,
  up: LinearLayout,
  gate: LinearLayout | undefined,
  down: LinearLayout,
  geluKind: GeluKind,
  x: Tensor,
): Tensor {
  const hidden =
    gate === undefined
      ? gelu(linear(weights, up, x), geluKind)
      : ops.mul(silu(linear(weights, gate, x)), linear(weights, up, x));
  return linear(weights, down, hidden);
}
