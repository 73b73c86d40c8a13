/**
 * Softmax of scaled attention scores under a causal mask, and its backward:
 *
 *   y[..., i, j] = softmax_j(scale · s[..., i, j]) over the keys j ≤ i + (S − T), 0 beyond
 *   ds = scale · y · (dy − Σ_j dy·y)
 *
 * Scores are [..., T, S] with T queries that are the last T of S positions (T = S in training;
 * T < S when a KV cache supplies earlier keys), as `torch.nn.functional.scaled_dot_product_attention`
 * with `is_causal` and nanoGPT's `masked_fill(mask == 0, -inf)` compute them.
 *
 * The engine composes this from a multiply, a masked select and its softmax (and about eight
 * kernels backward). Fused: with onnxruntime-node, one ONNX Runtime graph per direction
 * (vectorised exp); without it, one JavaScript pass per direction that skips masked entries.
 */
import type { GradConfig, NamedAttrMap, Tensor, TensorInfo } from '@tensorflow/tfjs-core';
import { tf } from '../internal/engine.js';
import type { OnnxTensor, OnnxValueInfo } from '../onnx/onnxModel.js';
import { expf } from './fastMath.js';
import { type HostKernelFactory, hostKernel } from './hostKernel.js';
import { type OrtBinding, type OrtKernelFactory, ortKernel } from './ortKernel.js';

export const CAUSAL_SOFTMAX = 'LlmkitCausalSoftmax';
export const CAUSAL_SOFTMAX_GRAD = 'LlmkitCausalSoftmaxGrad';

export interface CausalSoftmaxAttrs {
  scale: number;
}

/** Reference forward in float64; scores viewed as [batch, T, S]. */
export function causalSoftmaxReference(
  scores: ArrayLike<number>,
  t: number,
  s: number,
  scale: number,
): Float64Array {
  const y = new Float64Array(scores.length);
  for (let row = 0; row < scores.length / s; row++) {
    const i = row % t;
    const visible = i + (s - t) + 1;
    let max = Number.NEGATIVE_INFINITY;
    for (let j = 0; j < visible; j++) max = Math.max(max, scale * scores[row * s + j]!);
    let sum = 0;
    for (let j = 0; j < visible; j++) sum += Math.exp(scale * scores[row * s + j]! - max);
    for (let j = 0; j < visible; j++)
      y[row * s + j] = Math.exp(scale * scores[row * s + j]! - max) / sum;
  }
  return y;
}

/** Reference backward in float64 from the forward output y. */
export function causalSoftmaxGradReference(
  dy: ArrayLike<number>,
  y: ArrayLike<number>,
  s: number,
  scale: number,
): Float64Array {
  const ds = new Float64Array(y.length);
  for (let row = 0; row < y.length / s; row++) {
    let dot = 0;
    for (let j = 0; j < s; j++) dot += dy[row * s + j]! * y[row * s + j]!;
    for (let j = 0; j < s; j++)
      ds[row * s + j] = scale * y[row * s + j]! * (dy[row * s + j]! - dot);
  }
  return ds;
}

/** [batch, T, S] of a scores tensor. */
function dims(info: TensorInfo): [number, number, number] {
  const [t, s] = info.shape.slice(-2) as [number, number];
  return [info.shape.slice(0, -2).reduce((a, b) => a * b, 1), t, s];
}

const same = ([x]: readonly TensorInfo[]) => [{ shape: x!.shape, dtype: 'float32' as const }];

export const causalSoftmaxKernel: HostKernelFactory = hostKernel<CausalSoftmaxAttrs>({
  kernelName: CAUSAL_SOFTMAX,
  inputs: ['x'],
  outputs: same,
  compute([x], [y], { scale }, [info]) {
    const [batch, t, s] = dims(info!);
    for (let row = 0, base = 0; row < batch * t; row++, base += s) {
      const visible = (row % t) + (s - t) + 1;
      let max = Number.NEGATIVE_INFINITY;
      for (let j = 0; j < visible; j++) {
        const v = scale * x![base + j]!;
        if (v > max) max = v;
      }
      let sum = 0;
      for (let j = 0; j < visible; j++) {
        const e = expf(scale * x![base + j]! - max);
        y![base + j] = e;
        sum += e;
      }
      const inv = 1 / sum;
      for (let j = 0; j < visible; j++) y![base + j]! *= inv;
      for (let j = visible; j < s; j++) y![base + j] = 0;
    }
  },
});

export const causalSoftmaxGradKernel: HostKernelFactory = hostKernel<CausalSoftmaxAttrs>({
  kernelName: CAUSAL_SOFTMAX_GRAD,
  inputs: ['dy', 'y'],
  outputs: same,
  compute([dy, y], [dx], { scale }, [info]) {
    const [batch, t, s] = dims(info!);
    for (let row = 0, base = 0; row < batch * t; row++, base += s) {
      const visible = (row % t) + (s - t) + 1;
      let dot = 0;
      for (let j = 0; j < visible; j++) dot += dy![base + j]! * y![base + j]!;
      for (let j = 0; j < visible; j++)
        dx![base + j] = scale * y![base + j]! * (dy![base + j]! - dot);
      for (let j = visible; j < s; j++) dx![base + j] = 0;
    }
  },
});

const float = (name: string): OnnxValueInfo => ({ name, dataType: 'float32' });
const scalar = (name: string, value: number): OnnxTensor => ({
  name,
  dataType: 'float32',
  dims: [],
  data: Float32Array.of(value),
});
const as3d = (info: TensorInfo): OrtBinding => ({ info, dims: dims(info) });

/** Forward graph: softmax(x·scale + mask), mask a [T, S] constant of 0 and −∞. */
export const causalSoftmaxOrtKernel: OrtKernelFactory = ortKernel<CausalSoftmaxAttrs>({
  kernelName: CAUSAL_SOFTMAX,
  inputs: ['x'],
  outputs: same,
  graph: ([x], { scale }) => {
    const [, t, s] = dims(x!);
    const mask = new Float32Array(t * s);
    for (let i = 0; i < t; i++) {
      for (let j = i + (s - t) + 1; j < s; j++) mask[i * s + j] = Number.NEGATIVE_INFINITY;
    }
    return {
      key: `${CAUSAL_SOFTMAX}/${t}/${s}/${scale}`,
      graph: {
        name: 'causal_softmax',
        nodes: [
          { opType: 'Mul', inputs: ['x', 'scale'], outputs: ['scaled'] },
          { opType: 'Add', inputs: ['scaled', 'mask'], outputs: ['masked'] },
          {
            opType: 'Softmax',
            inputs: ['masked'],
            outputs: ['y'],
            attributes: { axis: { type: 'int', value: -1 } },
          },
        ],
        inputs: [float('x')],
        outputs: [float('y')],
        initializers: [
          scalar('scale', scale),
          { name: 'mask', dataType: 'float32', dims: [t, s], data: mask },
        ],
      },
    };
  },
  bind: ([x], [y]) => ({ feeds: { x: as3d(x!) }, fetches: { y: as3d(y!) } }),
});

/** Backward graph: ds = scale · y · (dy − Σ_j dy·y). */
export const causalSoftmaxGradOrtKernel: OrtKernelFactory = ortKernel<CausalSoftmaxAttrs>({
  kernelName: CAUSAL_SOFTMAX_GRAD,
  inputs: ['dy', 'y'],
  outputs: same,
  graph: (_, { scale }) => ({
    key: `${CAUSAL_SOFTMAX_GRAD}/${scale}`,
    graph: {
      name: 'causal_softmax_grad',
      nodes: [
        { opType: 'Mul', inputs: ['dy', 'y'], outputs: ['dy_y'] },
        { opType: 'ReduceSum', inputs: ['dy_y', 'last_axis'], outputs: ['dot'] },
        { opType: 'Sub', inputs: ['dy', 'dot'], outputs: ['centred'] },
        { opType: 'Mul', inputs: ['y', 'scale'], outputs: ['y_scaled'] },
        { opType: 'Mul', inputs: ['centred', 'y_scaled'], outputs: ['dx'] },
      ],
      inputs: [float('dy'), float('y')],
      outputs: [float('dx')],
      initializers: [
        scalar('scale', scale),
        { name: 'last_axis', dataType: 'int64', dims: [1], data: BigInt64Array.of(-1n) },
      ],
    },
  }),
  bind: ([dy, y], [dx]) => ({ feeds: { dy: as3d(dy!), y: as3d(y!) }, fetches: { dx: as3d(dx!) } }),
});

export const causalSoftmaxGradient: GradConfig = {
  kernelName: CAUSAL_SOFTMAX,
  outputsToSave: [true],
  gradFunc: (dy, saved, attrs) => {
    const [y] = saved as Tensor[];
    return {
      x: () =>
        tf
          .engine()
          .runKernel(
            CAUSAL_SOFTMAX_GRAD,
            { dy: dy as Tensor, y: y! },
            attrs as NamedAttrMap,
          ) as Tensor,
    };
  },
};
