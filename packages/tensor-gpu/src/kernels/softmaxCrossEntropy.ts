/**
 * Softmax cross-entropy per row, fused, with PyTorch's `ignore_index` semantics
 * (`torch.nn.functional.cross_entropy(reduction='none')`), and the two other per-row numbers the
 * losses of language modelling are made of (label smoothing needs Σ log p, z-loss needs lse):
 *
 *   lse_i = log Σ_j exp(l_ij),  loss_i = lse_i − l_{i,y_i} (0 where y_i = ignoreIndex),
 *   logProbSum_i = Σ_j (l_ij − lse_i)                         (only when asked; else 0)
 *
 * With upstream gradients (dloss, dlse, dsum) per row and p_ij = exp(l_ij − lse_i):
 *
 *   dl_ij = scale_i · p_ij + shift_i − [j = y_i] · dloss_i,
 *   scale_i = dloss_i (0 on ignored rows) + dlse_i − V · dsum_i,  shift_i = dsum_i.
 *
 * The forward keeps only lse ([N] floats) for the backward, never the [N, V] probabilities; the
 * backward recomputes each probability from the logits and lse while writing the gradient, so a
 * forward and backward hold the logits and one [N, V] buffer (the gradient). The engine's
 * composition (`softmaxCrossEntropy.ts`) saves the same and holds transients of its own.
 *
 * Precision: loss and logProbSum are formed before rounding to float32 (in float64 in
 * JavaScript; from ONNX Runtime's log-softmax, whose entries are exact relative to the row
 * maximum), so logits of ±1e4 lose nothing. lse is a float32 tensor like any other, which at
 * |lse| = 1e4 is off by up to 5e-4, enough to spoil exp(l − lse) by as much; so a fourth output,
 * the rounding residual lse − fround(lse) (a double-float pair, as in Dekker's two-sum), goes
 * to the backward, which uses p = exp(l − lse)·exp(−residual).
 *
 * With onnxruntime-node both directions run as small graphs on blocks of rows (LogSoftmax and
 * gathers forward; Sub, Exp, Mul, Add backward), whose temporaries stay in cache; without it, one
 * JavaScript pass each.
 */
import type { GradConfig, NamedAttrMap, Tensor, TensorInfo } from '@tensorflow/tfjs-core';
import { TensorError } from '../errors.js';
import { tf } from '../internal/engine.js';
import type { OnnxGraph } from '../onnx/onnxModel.js';
import { expf } from './fastMath.js';
import { type HostArray, type HostKernelFactory, hostKernel } from './hostKernel.js';
import { type OrtKernelFactory, ortKernel } from './ortKernel.js';

export const SOFTMAX_CROSS_ENTROPY = 'LlmkitSoftmaxCrossEntropy';
export const SOFTMAX_CROSS_ENTROPY_GRAD = 'LlmkitSoftmaxCrossEntropyGrad';

export interface SoftmaxCrossEntropyAttrs {
  ignoreIndex: number;
  /** Compute the third output, Σ_j log p_ij (otherwise zeros). */
  logProbSum: boolean;
}

/** Reference forward in float64: per-row loss, log-sum-exp and Σ log p; labels as numbers. */
export function softmaxCrossEntropyReference(
  logits: ArrayLike<number>,
  labels: ArrayLike<number>,
  ignoreIndex: number,
): { loss: Float64Array; lse: Float64Array; logProbSum: Float64Array } {
  const n = labels.length;
  const v = logits.length / n;
  const loss = new Float64Array(n);
  const lse = new Float64Array(n);
  const logProbSum = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let max = Number.NEGATIVE_INFINITY;
    for (let j = 0; j < v; j++) max = Math.max(max, logits[i * v + j]!);
    let sum = 0;
    let total = 0;
    for (let j = 0; j < v; j++) {
      sum += Math.exp(logits[i * v + j]! - max);
      total += logits[i * v + j]! - max;
    }
    lse[i] = max + Math.log(sum);
    loss[i] = labels[i] === ignoreIndex ? 0 : lse[i]! - logits[i * v + labels[i]!]!;
    logProbSum[i] = total - v * Math.log(sum);
  }
  return { loss, lse, logProbSum };
}

/** Upstream gradients of the outputs other than the loss, for the reference backward. */
export interface SoftmaxCrossEntropyUpstream {
  readonly lse?: ArrayLike<number>;
  readonly logProbSum?: ArrayLike<number>;
}

/** Reference backward in float64: the gradient of Σ dloss·loss + Σ dlse·lse + Σ dsum·logProbSum. */
export function softmaxCrossEntropyGradReference(
  dloss: ArrayLike<number>,
  logits: ArrayLike<number>,
  labels: ArrayLike<number>,
  ignoreIndex: number,
  upstream: SoftmaxCrossEntropyUpstream = {},
): Float64Array {
  const n = labels.length;
  const v = logits.length / n;
  const { lse } = softmaxCrossEntropyReference(logits, labels, ignoreIndex);
  const grad = new Float64Array(logits.length);
  for (let i = 0; i < n; i++) {
    const ignored = labels[i] === ignoreIndex;
    const dl = ignored ? 0 : dloss[i]!;
    const dsum = upstream.logProbSum?.[i] ?? 0;
    const scale = dl + (upstream.lse?.[i] ?? 0) - v * dsum;
    for (let j = 0; j < v; j++) {
      const p = Math.exp(logits[i * v + j]! - lse[i]!);
      grad[i * v + j] = scale * p + dsum - (!ignored && j === labels[i] ? dl : 0);
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

/** Outputs: loss, lse, logProbSum and lse's rounding residual, each of the labels' shape. */
const perRow = ([logits]: readonly TensorInfo[]) => {
  const shape = logits!.shape.slice(0, -1);
  return [0, 1, 2, 3].map(() => ({ shape, dtype: 'float32' as const }));
};

/** [N, V] of logits of any rank. */
const rowsOf = (logits: TensorInfo): [number, number] => {
  const v = logits.shape[logits.shape.length - 1]!;
  return [logits.shape.reduce((a, b) => a * b, 1) / v, v];
};

/**
 * Rows per ONNX Runtime run: about 2¹⁸ elements (1 MiB of float32), the block size that ran
 * fastest here for V from 8,192 to 50,257 (blocks of 2¹⁶ pay the call overhead, whole tensors
 * leave the cache).
 */
const rowBlock = ([logits]: readonly TensorInfo[]): number => {
  const v = logits!.shape[logits!.shape.length - 1]!;
  return Math.max(1, Math.floor(2 ** 18 / v));
};

export const softmaxCrossEntropyKernel: HostKernelFactory = hostKernel<SoftmaxCrossEntropyAttrs>({
  kernelName: SOFTMAX_CROSS_ENTROPY,
  inputs: ['logits', 'labels'],
  outputs: perRow,
  compute([logits, labels], [loss, lse, logProbSum, residual], attrs) {
    const { ignoreIndex, logProbSum: withSum } = attrs;
    const n = labels!.length;
    const v = logits!.length / n;
    checkLabels(labels!, v, ignoreIndex);
    for (let i = 0, base = 0; i < n; i++, base += v) {
      let max = Number.NEGATIVE_INFINITY;
      let total = 0;
      for (let j = 0; j < v; j++) {
        const l = logits![base + j]!;
        if (l > max) max = l;
        total += l;
      }
      let sum = 0;
      for (let j = 0; j < v; j++) sum += expf(logits![base + j]! - max);
      const logSum = Math.log(sum);
      const logSumExp = max + logSum;
      const y = labels![i]!;
      lse![i] = logSumExp;
      residual![i] = logSumExp - lse![i]!;
      loss![i] = y === ignoreIndex ? 0 : logSumExp - logits![base + y]!;
      logProbSum![i] = withSum ? total - v * max - v * logSum : 0;
    }
  },
});

const axisAttr = { axis: { type: 'int' as const, value: 1 } };

const lastAxis = { axes: { type: 'ints' as const, value: [-1] } };

/**
 * Forward graph: log-softmax of a block (a cached temporary), the label's entries gathered. The
 * row maximum m and r = log Σ exp(l − m) = −max log p go out in the slots of lse and its
 * residual; {@link splitLogSumExp} then turns them into both.
 */
function forwardGraph({ ignoreIndex, logProbSum }: SoftmaxCrossEntropyAttrs): OnnxGraph {
  const gather = (from: string, to: string) => ({
    opType: 'GatherElements',
    inputs: [from, 'index'],
    outputs: [to],
    attributes: axisAttr,
  });
  return {
    name: 'softmax_cross_entropy',
    nodes: [
      { opType: 'LogSoftmax', inputs: ['logits'], outputs: ['logp'], attributes: axisAttr },
      { opType: 'ReduceMax', inputs: ['logits'], outputs: ['max'], attributes: lastAxis },
      { opType: 'ReduceMax', inputs: ['logp'], outputs: ['top'], attributes: lastAxis },
      { opType: 'Neg', inputs: ['top'], outputs: ['log_sum'] },
      { opType: 'Equal', inputs: ['labels', 'ignore'], outputs: ['ignored'] },
      { opType: 'Where', inputs: ['ignored', 'zero_label', 'labels'], outputs: ['index'] },
      gather('logp', 'picked'),
      { opType: 'Neg', inputs: ['picked'], outputs: ['nll'] },
      { opType: 'Where', inputs: ['ignored', 'zero', 'nll'], outputs: ['loss'] },
      ...(logProbSum
        ? [{ opType: 'ReduceSum', inputs: ['logp', 'last_axis'], outputs: ['sum'] }]
        : [
            { opType: 'Shape', inputs: ['picked'], outputs: ['column'] },
            { opType: 'Expand', inputs: ['zero', 'column'], outputs: ['sum'] },
          ]),
    ],
    inputs: [
      { name: 'logits', dataType: 'float32' },
      { name: 'labels', dataType: 'int32' },
    ],
    outputs: ['loss', 'max', 'sum', 'log_sum'].map((name) => ({
      name,
      dataType: 'float32' as const,
    })),
    initializers: [
      { name: 'ignore', dataType: 'int32', dims: [], data: Int32Array.of(ignoreIndex) },
      { name: 'zero_label', dataType: 'int32', dims: [], data: Int32Array.of(0) },
      { name: 'zero', dataType: 'float32', dims: [], data: Float32Array.of(0) },
      { name: 'last_axis', dataType: 'int64', dims: [1], data: BigInt64Array.of(-1n) },
    ],
  };
}

/** lse = m + r in float64, stored as fround(lse) and its residual (in place of m and r). */
function splitLogSumExp(lse: HostArray, residual: HostArray): void {
  for (let i = 0; i < lse.length; i++) {
    const exact = lse[i]! + residual[i]!;
    lse[i] = exact;
    residual[i] = exact - lse[i]!;
  }
}

export const softmaxCrossEntropyOrtKernel: OrtKernelFactory = ortKernel<SoftmaxCrossEntropyAttrs>({
  kernelName: SOFTMAX_CROSS_ENTROPY,
  inputs: ['logits', 'labels'],
  outputs: perRow,
  check: ([logits, labels], { ignoreIndex }) =>
    checkLabels(labels!, logits!.length / labels!.length, ignoreIndex),
  graph: (_, attrs) => ({
    key: `${SOFTMAX_CROSS_ENTROPY}/${attrs.ignoreIndex}/${attrs.logProbSum}`,
    graph: forwardGraph(attrs),
  }),
  rowBlock,
  finish: (_, [, lse, , residual]) => splitLogSumExp(lse!, residual!),
  bind: ([logits, labels], [loss, lse, sum, residual]) => {
    const [n, v] = rowsOf(logits!);
    const column = (info: TensorInfo) => ({ info, dims: [n, 1] });
    return {
      feeds: { logits: { info: logits!, dims: [n, v] }, labels: column(labels!) },
      fetches: {
        loss: column(loss!),
        max: column(lse!),
        sum: column(sum!),
        log_sum: column(residual!),
      },
    };
  },
});

const GRAD_INPUTS = ['logits', 'labels', 'lse', 'dloss', 'scale', 'shift'];

/** The one-hot term of the gradient: N writes, skipping ignored rows. */
function subtractTargets(
  [, labels, , dloss]: readonly HostArray[],
  grad: HostArray,
  ignoreIndex: number,
): void {
  const n = labels!.length;
  const v = grad.length / n;
  for (let i = 0; i < n; i++) {
    const y = labels![i]!;
    if (y !== ignoreIndex) grad[i * v + y]! -= dloss![i]!;
  }
}

export const softmaxCrossEntropyGradKernel: HostKernelFactory =
  hostKernel<SoftmaxCrossEntropyAttrs>({
    kernelName: SOFTMAX_CROSS_ENTROPY_GRAD,
    inputs: GRAD_INPUTS,
    outputs: ([logits]) => [{ shape: logits!.shape, dtype: 'float32' }],
    compute(inputs, [grad], { ignoreIndex }) {
      const [logits, labels, lse, , scale, shift] = inputs;
      const n = labels!.length;
      const v = logits!.length / n;
      for (let i = 0, base = 0; i < n; i++, base += v) {
        const a = scale![i]!;
        const b = shift![i]!;
        if (a === 0) {
          grad!.fill(b, base, base + v);
          continue;
        }
        const s = lse![i]!;
        for (let j = 0; j < v; j++) grad![base + j] = a * expf(logits![base + j]! - s) + b;
      }
      subtractTargets(inputs, grad!, ignoreIndex);
    },
  });

export const softmaxCrossEntropyGradOrtKernel: OrtKernelFactory =
  ortKernel<SoftmaxCrossEntropyAttrs>({
    kernelName: SOFTMAX_CROSS_ENTROPY_GRAD,
    inputs: GRAD_INPUTS,
    outputs: ([logits]) => [{ shape: logits!.shape, dtype: 'float32' }],
    graph: () => ({
      key: SOFTMAX_CROSS_ENTROPY_GRAD,
      graph: {
        name: 'softmax_cross_entropy_grad',
        nodes: [
          { opType: 'Sub', inputs: ['logits', 'lse'], outputs: ['shifted'] },
          { opType: 'Exp', inputs: ['shifted'], outputs: ['p'] },
          { opType: 'Mul', inputs: ['p', 'scale'], outputs: ['scaled'] },
          { opType: 'Add', inputs: ['scaled', 'shift'], outputs: ['grad'] },
        ],
        inputs: ['logits', 'lse', 'scale', 'shift'].map((name) => ({
          name,
          dataType: 'float32' as const,
        })),
        outputs: [{ name: 'grad', dataType: 'float32' }],
      },
    }),
    rowBlock,
    finish: (inputs, [grad], { ignoreIndex }) => subtractTargets(inputs, grad!, ignoreIndex),
    bind: ([logits, , lse, , scale, shift], [grad]) => {
      const [n, v] = rowsOf(logits!);
      const column = (info: TensorInfo) => ({ info, dims: [n, 1] });
      return {
        feeds: {
          logits: { info: logits!, dims: [n, v] },
          lse: column(lse!),
          scale: column(scale!),
          shift: column(shift!),
        },
        fetches: { grad: { info: grad!, dims: [n, v] } },
      };
    },
  });

/**
 * The gradient of the fused forward: per-row coefficients with engine operations on [N]-sized
 * tensors, then one kernel that writes the [N, V] gradient.
 */
export const softmaxCrossEntropyGradient: GradConfig = {
  kernelName: SOFTMAX_CROSS_ENTROPY,
  inputsToSave: ['logits', 'labels'],
  outputsToSave: [false, true, false, true],
  gradFunc: (dys, saved, attrs) => {
    const [dloss, dlse, dsum] = dys as Tensor[];
    const [logits, labels, lse, residual] = saved as Tensor[];
    const { ignoreIndex } = attrs as unknown as SoftmaxCrossEntropyAttrs;
    return {
      logits: () => {
        const v = logits!.shape[logits!.rank - 1]!;
        const [kept, scale] = tf.tidy(() => {
          const masked = tf.where(tf.equal(labels!, ignoreIndex), tf.zerosLike(dloss!), dloss!);
          // p = exp(l − lse)·exp(−residual): the residual's factor joins the row's scale
          const a = tf.sub(tf.add(masked, dlse!), tf.mul(dsum!, v));
          return [masked, tf.mul(a, tf.exp(tf.neg(residual!)))];
        });
        const grad = tf.engine().runKernel(
          SOFTMAX_CROSS_ENTROPY_GRAD,
          {
            logits: logits!,
            labels: labels!,
            lse: lse!,
            dloss: kept!,
            scale: scale!,
            shift: dsum!,
          },
          attrs as NamedAttrMap,
        ) as Tensor;
        tf.dispose([kept!, scale!]);
        return grad;
      },
      labels: () => tf.zeros(labels!.shape),
    };
  },
};
