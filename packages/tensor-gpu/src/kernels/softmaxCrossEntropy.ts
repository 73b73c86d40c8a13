/**
 * Softmax cross-entropy per row, fused, with PyTorch's `ignore_index` semantics
 * (`torch.nn.functional.cross_entropy(reduction='none')`):
 *
 *   lse_i = log Σ_j exp(l_ij),  loss_i = lse_i − l_{i,y_i}  (0 where y_i = ignoreIndex)
 *   dl_ij = dloss_i · (exp(l_ij − lse_i) − [j = y_i])      (0 on ignored rows)
 *
 * The forward keeps only lse ([N] floats) for the backward, never the [N, V] probabilities; the
 * backward recomputes each probability from the logits and lse while writing the gradient, so
 * the probabilities exist once, as the gradient itself. The engine's composition (log-softmax,
 * one-hot, multiply, sum) materialises several [N, V] tensors in each direction.
 *
 * With onnxruntime-node the forward is ONNX Runtime's ReduceLogSumExp plus a gather (vectorised
 * exp, no [N, V] temporary); the backward is one JavaScript pass in every case.
 */
import type { GradConfig, NamedAttrMap, Tensor, TensorInfo } from '@tensorflow/tfjs-core';
import { TensorError } from '../errors.js';
import { tf } from '../internal/engine.js';
import { expf } from './fastMath.js';
import { type HostKernelFactory, hostKernel } from './hostKernel.js';
import { type OrtKernelFactory, ortKernel } from './ortKernel.js';

export const SOFTMAX_CROSS_ENTROPY = 'LlmkitSoftmaxCrossEntropy';
export const SOFTMAX_CROSS_ENTROPY_GRAD = 'LlmkitSoftmaxCrossEntropyGrad';

export interface SoftmaxCrossEntropyAttrs {
  ignoreIndex: number;
}

/** Reference forward in float64: per-row loss and log-sum-exp; labels as numbers. */
export function softmaxCrossEntropyReference(
  logits: ArrayLike<number>,
  labels: ArrayLike<number>,
  ignoreIndex: number,
): { loss: Float64Array; lse: Float64Array } {
  const n = labels.length;
  const v = logits.length / n;
  const loss = new Float64Array(n);
  const lse = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let max = Number.NEGATIVE_INFINITY;
    for (let j = 0; j < v; j++) max = Math.max(max, logits[i * v + j]!);
    let sum = 0;
    for (let j = 0; j < v; j++) sum += Math.exp(logits[i * v + j]! - max);
    lse[i] = max + Math.log(sum);
    loss[i] = labels[i] === ignoreIndex ? 0 : lse[i]! - logits[i * v + labels[i]!]!;
  }
  return { loss, lse };
}

/** Reference backward in float64. */
export function softmaxCrossEntropyGradReference(
  dloss: ArrayLike<number>,
  logits: ArrayLike<number>,
  labels: ArrayLike<number>,
  ignoreIndex: number,
): Float64Array {
  const n = labels.length;
  const v = logits.length / n;
  const { lse } = softmaxCrossEntropyReference(logits, labels, ignoreIndex);
  const grad = new Float64Array(logits.length);
  for (let i = 0; i < n; i++) {
    if (labels[i] === ignoreIndex) continue;
    for (let j = 0; j < v; j++) {
      const p = Math.exp(logits[i * v + j]! - lse[i]!);
      grad[i * v + j] = dloss[i]! * (p - (j === labels[i] ? 1 : 0));
    }
  }
  return grad;
}

/** Throws the error PyTorch raises for a label outside [0, V) that is not ignored. */
function checkLabels(labels: ArrayLike<number>, v: number, ignoreIndex: number): void {
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i]!;
    if (y !== ignoreIndex && (y < 0 || y >= v)) {
      throw new TensorError({
        code: 'INVALID_ARGUMENT',
        fn: 'softmaxCrossEntropy',
        argument: 'labels',
        detail: `label ${y} at position ${i} is outside [0, ${v}) and is not ignoreIndex (${ignoreIndex}).`,
      });
    }
  }
}

const perRow = ([logits]: readonly TensorInfo[]) => {
  const shape = logits!.shape.slice(0, -1);
  return [
    { shape, dtype: 'float32' as const },
    { shape, dtype: 'float32' as const },
  ];
};

export const softmaxCrossEntropyKernel: HostKernelFactory = hostKernel<SoftmaxCrossEntropyAttrs>({
  kernelName: SOFTMAX_CROSS_ENTROPY,
  inputs: ['logits', 'labels'],
  outputs: perRow,
  compute([logits, labels], [loss, lse], { ignoreIndex }) {
    const n = labels!.length;
    const v = logits!.length / n;
    checkLabels(labels!, v, ignoreIndex);
    for (let i = 0, base = 0; i < n; i++, base += v) {
      let max = Number.NEGATIVE_INFINITY;
      for (let j = 0; j < v; j++) {
        const l = logits![base + j]!;
        if (l > max) max = l;
      }
      let sum = 0;
      for (let j = 0; j < v; j++) sum += expf(logits![base + j]! - max);
      const logSumExp = max + Math.log(sum);
      const y = labels![i]!;
      lse![i] = logSumExp;
      loss![i] = y === ignoreIndex ? 0 : logSumExp - logits![base + y]!;
    }
  },
});

/** Forward in ONNX Runtime: ReduceLogSumExp over the vocabulary, the label's logit gathered. */
export const softmaxCrossEntropyOrtKernel: OrtKernelFactory = ortKernel<SoftmaxCrossEntropyAttrs>({
  kernelName: SOFTMAX_CROSS_ENTROPY,
  inputs: ['logits', 'labels'],
  outputs: perRow,
  check: ([logits, labels], { ignoreIndex }) =>
    checkLabels(labels!, logits!.length / labels!.length, ignoreIndex),
  graph: (_, { ignoreIndex }) => ({
    key: `${SOFTMAX_CROSS_ENTROPY}/${ignoreIndex}`,
    graph: {
      name: 'softmax_cross_entropy',
      nodes: [
        {
          opType: 'ReduceLogSumExp',
          inputs: ['logits'],
          outputs: ['lse'],
          attributes: { axes: { type: 'ints', value: [-1] }, keepdims: { type: 'int', value: 1 } },
        },
        { opType: 'Equal', inputs: ['labels', 'ignore'], outputs: ['ignored'] },
        { opType: 'Where', inputs: ['ignored', 'zero_label', 'labels'], outputs: ['index'] },
        {
          opType: 'GatherElements',
          inputs: ['logits', 'index'],
          outputs: ['picked'],
          attributes: { axis: { type: 'int', value: 1 } },
        },
        { opType: 'Sub', inputs: ['lse', 'picked'], outputs: ['nll'] },
        { opType: 'Where', inputs: ['ignored', 'zero', 'nll'], outputs: ['loss'] },
      ],
      inputs: [
        { name: 'logits', dataType: 'float32' },
        { name: 'labels', dataType: 'int32' },
      ],
      outputs: [
        { name: 'loss', dataType: 'float32' },
        { name: 'lse', dataType: 'float32' },
      ],
      initializers: [
        { name: 'ignore', dataType: 'int32', dims: [], data: Int32Array.of(ignoreIndex) },
        { name: 'zero_label', dataType: 'int32', dims: [], data: Int32Array.of(0) },
        { name: 'zero', dataType: 'float32', dims: [], data: Float32Array.of(0) },
      ],
    },
  }),
  bind: ([logits, labels], [loss, lse]) => {
    const n = labels!.shape.reduce((a, b) => a * b, 1);
    const v = logits!.shape[logits!.shape.length - 1]!;
    return {
      feeds: { logits: { info: logits!, dims: [n, v] }, labels: { info: labels!, dims: [n, 1] } },
      fetches: { loss: { info: loss!, dims: [n, 1] }, lse: { info: lse!, dims: [n, 1] } },
    };
  },
});

export const softmaxCrossEntropyGradKernel: HostKernelFactory =
  hostKernel<SoftmaxCrossEntropyAttrs>({
    kernelName: SOFTMAX_CROSS_ENTROPY_GRAD,
    inputs: ['dloss', 'logits', 'labels', 'lse'],
    outputs: ([, logits]) => [{ shape: logits!.shape, dtype: 'float32' }],
    compute([dloss, logits, labels, lse], [grad], { ignoreIndex }) {
      const n = labels!.length;
      const v = logits!.length / n;
      for (let i = 0, base = 0; i < n; i++, base += v) {
        const y = labels![i]!;
        if (y === ignoreIndex) {
          grad!.fill(0, base, base + v);
          continue;
        }
        const d = dloss![i]!;
        const shift = lse![i]!;
        for (let j = 0; j < v; j++) grad![base + j] = d * expf(logits![base + j]! - shift);
        grad![base + y]! -= d;
      }
    },
  });

export const softmaxCrossEntropyGradient: GradConfig = {
  kernelName: SOFTMAX_CROSS_ENTROPY,
  inputsToSave: ['logits', 'labels'],
  outputsToSave: [false, true],
  gradFunc: (dys, saved, attrs) => {
    const [dloss] = dys as Tensor[];
    const [logits, labels, lse] = saved as Tensor[];
    return {
      logits: () =>
        tf
          .engine()
          .runKernel(
            SOFTMAX_CROSS_ENTROPY_GRAD,
            { dloss: dloss!, logits: logits!, labels: labels!, lse: lse! },
            attrs as NamedAttrMap,
          ) as Tensor,
      labels: () => tf.zeros(labels!.shape),
    };
  },
};
