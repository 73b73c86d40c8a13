/**
 * Layer normalisation over the last axis (Ba, Kiros & Hinton 2016, arXiv:1607.06450), forward and
 * backward as in llm.c's `layernorm_forward`/`layernorm_backward` (train_gpt2.c):
 *
 *   μ = mean(x), σ⁻¹ = 1/√(var(x) + ε), x̂ = (x − μ)·σ⁻¹, y = x̂·γ + β
 *   dx = σ⁻¹·(dy·γ − mean(dy·γ) − x̂·mean(dy·γ·x̂)),  dγ = Σ_rows dy·x̂,  dβ = Σ_rows dy
 *
 * x is viewed as [N, C]. The forward saves μ and σ⁻¹ per row ([N] each) for the backward, which
 * is one kernel for dx, dγ and dβ. The engine's composition makes ~8 passes forward (moments,
 * subtract, rsqrt, multiply, add) and ~20 kernels backward; here each direction reads x once
 * per row pass in JavaScript, with float64 row statistics.
 */
import type { GradConfig, NamedAttrMap, Tensor, TensorInfo } from '@tensorflow/tfjs-core';
import { tf } from '../internal/engine.js';
import { type HostKernelFactory, hostKernel } from './hostKernel.js';
import { type OrtKernelFactory, ortKernel } from './ortKernel.js';

export const LAYER_NORM = 'LlmkitLayerNorm';
export const LAYER_NORM_GRAD = 'LlmkitLayerNormGrad';

/** Attributes of both kernels. */
export interface LayerNormAttrs {
  epsilon: number;
}

/** Reference forward in float64: y, and per-row mean and reciprocal standard deviation. */
export function layerNormReference(
  x: ArrayLike<number>,
  gamma: ArrayLike<number>,
  beta: ArrayLike<number>,
  epsilon: number,
): { y: Float64Array; mean: Float64Array; rstd: Float64Array } {
  const c = gamma.length;
  const n = x.length / c;
  const y = new Float64Array(x.length);
  const mean = new Float64Array(n);
  const rstd = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    let m = 0;
    for (let j = 0; j < c; j++) m += x[r * c + j]!;
    m /= c;
    let v = 0;
    for (let j = 0; j < c; j++) v += (x[r * c + j]! - m) ** 2;
    const s = 1 / Math.sqrt(v / c + epsilon);
    for (let j = 0; j < c; j++) y[r * c + j] = (x[r * c + j]! - m) * s * gamma[j]! + beta[j]!;
    mean[r] = m;
    rstd[r] = s;
  }
  return { y, mean, rstd };
}

/** Reference backward in float64 (statistics recomputed from x). */
export function layerNormGradReference(
  dy: ArrayLike<number>,
  x: ArrayLike<number>,
  gamma: ArrayLike<number>,
  epsilon: number,
): { dx: Float64Array; dgamma: Float64Array; dbeta: Float64Array } {
  const c = gamma.length;
  const n = x.length / c;
  const { mean, rstd } = layerNormReference(x, gamma, new Float64Array(c), epsilon);
  const dx = new Float64Array(x.length);
  const dgamma = new Float64Array(c);
  const dbeta = new Float64Array(c);
  for (let r = 0; r < n; r++) {
    let dnormMean = 0;
    let dnormXhatMean = 0;
    for (let j = 0; j < c; j++) {
      const xhat = (x[r * c + j]! - mean[r]!) * rstd[r]!;
      const dnorm = dy[r * c + j]! * gamma[j]!;
      dnormMean += dnorm / c;
      dnormXhatMean += (dnorm * xhat) / c;
      dgamma[j]! += dy[r * c + j]! * xhat;
      dbeta[j]! += dy[r * c + j]!;
    }
    for (let j = 0; j < c; j++) {
      const xhat = (x[r * c + j]! - mean[r]!) * rstd[r]!;
      const dnorm = dy[r * c + j]! * gamma[j]!;
      dx[r * c + j] = (dnorm - dnormMean - xhat * dnormXhatMean) * rstd[r]!;
    }
  }
  return { dx, dgamma, dbeta };
}

const rowsOf = (x: TensorInfo): number => x.shape.slice(0, -1).reduce((a, b) => a * b, 1);

export const layerNormKernel: HostKernelFactory = hostKernel<LayerNormAttrs>({
  kernelName: LAYER_NORM,
  inputs: ['x', 'gamma', 'beta'],
  outputs: ([x]) => [
    { shape: x!.shape, dtype: 'float32' },
    { shape: [rowsOf(x!)], dtype: 'float32' },
    { shape: [rowsOf(x!)], dtype: 'float32' },
  ],
  compute([x, gamma, beta], [y, mean, rstd], { epsilon }) {
    const c = gamma!.length;
    const n = mean!.length;
    for (let r = 0, base = 0; r < n; r++, base += c) {
      let sum = 0;
      for (let j = 0; j < c; j++) sum += x![base + j]!;
      const m = sum / c;
      let squares = 0;
      for (let j = 0; j < c; j++) {
        const d = x![base + j]! - m;
        squares += d * d;
      }
      const s = 1 / Math.sqrt(squares / c + epsilon);
      for (let j = 0; j < c; j++) y![base + j] = (x![base + j]! - m) * s * gamma![j]! + beta![j]!;
      mean![r] = m;
      rstd![r] = s;
    }
  },
});

export const layerNormGradKernel: HostKernelFactory = hostKernel<LayerNormAttrs>({
  kernelName: LAYER_NORM_GRAD,
  inputs: ['dy', 'x', 'gamma', 'mean', 'rstd'],
  outputs: ([, x, gamma]) => [
    { shape: x!.shape, dtype: 'float32' },
    { shape: gamma!.shape, dtype: 'float32' },
    { shape: gamma!.shape, dtype: 'float32' },
  ],
  compute([dy, x, gamma, mean, rstd], [dx, dgamma, dbeta]) {
    const c = gamma!.length;
    const n = mean!.length;
    const dg = new Float64Array(c);
    const db = new Float64Array(c);
    for (let r = 0, base = 0; r < n; r++, base += c) {
      const m = mean![r]!;
      const s = rstd![r]!;
      let dnormSum = 0;
      let dnormXhatSum = 0;
      for (let j = 0; j < c; j++) {
        const g = dy![base + j]!;
        const xhat = (x![base + j]! - m) * s;
        const dnorm = g * gamma![j]!;
        dnormSum += dnorm;
        dnormXhatSum += dnorm * xhat;
        dg[j]! += g * xhat;
        db[j]! += g;
      }
      const dnormMean = dnormSum / c;
      const dnormXhatMean = dnormXhatSum / c;
      for (let j = 0; j < c; j++) {
        const xhat = (x![base + j]! - m) * s;
        dx![base + j] = (dy![base + j]! * gamma![j]! - dnormMean - xhat * dnormXhatMean) * s;
      }
    }
    for (let j = 0; j < c; j++) {
      dgamma![j] = dg[j]!;
      dbeta![j] = db[j]!;
    }
  },
});

export const layerNormGradient: GradConfig = {
  kernelName: LAYER_NORM,
  inputsToSave: ['x', 'gamma'],
  outputsToSave: [false, true, true],
  gradFunc: (dys, saved, attrs) => {
    const [dy] = dys as Tensor[];
    const [x, gamma, mean, rstd] = saved as Tensor[];
    // One kernel computes all three gradients; computed here, outside the per-input scopes
    // the engine opens around each thunk, so the thunks can share its outputs.
    const [dx, dgamma, dbeta] = tf
      .engine()
      .runKernel(
        LAYER_NORM_GRAD,
        { dy: dy!, x: x!, gamma: gamma!, mean: mean!, rstd: rstd! },
        attrs as NamedAttrMap,
      ) as Tensor[];
    return { x: () => dx!, gamma: () => dgamma!, beta: () => dbeta! };
  },
};

/**
 * Forward in ONNX Runtime (ONNX LayerNormalization, opset 17, with its Mean and InvStdDev
 * outputs), used instead of the JavaScript forward where onnxruntime-node is installed.
 */
export const layerNormOrtKernel: OrtKernelFactory = ortKernel<LayerNormAttrs>({
  kernelName: LAYER_NORM,
  inputs: ['x', 'gamma', 'beta'],
  outputs: ([x]) => [
    { shape: x!.shape, dtype: 'float32' },
    { shape: [rowsOf(x!)], dtype: 'float32' },
    { shape: [rowsOf(x!)], dtype: 'float32' },
  ],
  graph: (_, { epsilon }) => ({
    key: `${LAYER_NORM}/${epsilon}`,
    graph: {
      name: 'layer_norm',
      nodes: [
        {
          opType: 'LayerNormalization',
          inputs: ['x', 'gamma', 'beta'],
          outputs: ['y', 'mean', 'rstd'],
          attributes: {
            axis: { type: 'int', value: -1 },
            epsilon: { type: 'float', value: epsilon },
          },
        },
      ],
      inputs: ['x', 'gamma', 'beta'].map((name) => ({ name, dataType: 'float32' as const })),
      outputs: ['y', 'mean', 'rstd'].map((name) => ({ name, dataType: 'float32' as const })),
    },
  }),
  bind: ([x, gamma, beta], [y, mean, rstd]) => {
    const c = gamma!.shape[0]!;
    const n = rowsOf(x!);
    return {
      feeds: {
        x: { info: x!, dims: [n, c] },
        gamma: { info: gamma!, dims: [c] },
        beta: { info: beta!, dims: [c] },
      },
      fetches: {
        y: { info: y!, dims: [n, c] },
        mean: { info: mean!, dims: [n, 1] },
        rstd: { info: rstd!, dims: [n, 1] },
      },
    };
  },
});
