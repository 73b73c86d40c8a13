/**
 * The tensor operations llmkit builds on, re-exported from the engine under one namespace:
 * `import { ops } from '@llmkit/tensor-gpu'`, then `ops.matMul(a, b, false, true)`.
 *
 * This is a curated list, not the whole engine: what decoder-only transformers, their losses
 * and their optimizers use. Signatures are tfjs-core 4.22's (see its API reference for each);
 * shapes broadcast as in numpy. Callers that need an op missing here should ask for it to be
 * added rather than import the engine directly, so the engine stays replaceable.
 *
 * Not here: chained methods on tensors (`x.square()`; the engine's Node build has none, use
 * `ops.square(x)`) and in-place updates other than `Variable.assign`. The engine has no
 * `stopGradient`; {@link stopGradient} below builds one from `customGrad`, and
 * {@link logSigmoid} replaces the engine's, whose gradient fails inside a scope.
 */
import { tf } from './internal/engine.js';
import { mirrorIntegers } from './internal/hostMirror.js';
import type { Tensor } from './tensor.js';

// Creation, elementwise arithmetic and activations, comparisons, reductions and products,
// softmax, shape and indexing (`tensorScatterUpdate` writes single entries into a copy),
// automatic differentiation (grads, valueAndGrads, variableGrads, customGrad), and `profile`
// (peak and new bytes while a function runs). Random initialisers take an optional integer
// seed; prefer `@llmkit/numeric`'s `Random` for weights that must match across platforms.
export {
  abs,
  add,
  addN,
  all,
  any,
  argMax,
  argMin,
  broadcastTo,
  cast,
  ceil,
  clipByValue,
  clone,
  concat,
  cos,
  cumsum,
  customGrad,
  div,
  divNoNan,
  dot,
  dropout,
  einsum,
  elu,
  equal,
  erf,
  exp,
  expandDims,
  expm1,
  eye,
  fill,
  floor,
  floorDiv,
  gather,
  gatherND,
  grad,
  grads,
  greater,
  greaterEqual,
  isFinite,
  isInf,
  isNaN,
  leakyRelu,
  less,
  lessEqual,
  linspace,
  log,
  log1p,
  logicalAnd,
  logicalNot,
  logicalOr,
  logSoftmax,
  logSumExp,
  matMul,
  max,
  maximum,
  mean,
  min,
  minimum,
  mod,
  moments,
  mul,
  neg,
  norm,
  notEqual,
  oneHot,
  ones,
  onesLike,
  outerProduct,
  pad,
  pow,
  prod,
  profile,
  randomNormal,
  randomUniform,
  range,
  reciprocal,
  relu,
  relu6,
  reshape,
  reverse,
  round,
  rsqrt,
  scalar,
  scatterND,
  sigmoid,
  sign,
  sin,
  slice,
  softmax,
  softplus,
  split,
  sqrt,
  square,
  squaredDifference,
  squeeze,
  stack,
  step,
  stridedSlice,
  sub,
  sum,
  tanh,
  tensorScatterUpdate,
  tile,
  topk,
  transpose,
  truncatedNormal,
  unsortedSegmentSum,
  unstack,
  valueAndGrad,
  valueAndGrads,
  variable,
  variableGrads,
  where,
  zeros,
  zerosLike,
} from '@tensorflow/tfjs-core';

/**
 * A tensor from host values (tfjs's `tensor`). On WebGPU, int32 and bool tensors keep a host
 * copy of their values, so that ids, targets and masks stay readable synchronously (see
 * `hostValues`) after a kernel has moved them to the device.
 */
export const tensor: typeof tf.tensor = ((
  values: tf.TensorLike,
  shape?: number[],
  dtype?: tf.DataType,
) =>
  mirrorIntegers(
    (tf.tensor as (v: tf.TensorLike, s?: number[], d?: tf.DataType) => Tensor)(
      values,
      shape,
      dtype,
    ),
  )) as typeof tf.tensor;
/** A rank-1 {@link tensor}. */
export const tensor1d: typeof tf.tensor1d = ((...args: Parameters<typeof tf.tensor1d>) =>
  mirrorIntegers(tf.tensor1d(...args))) as typeof tf.tensor1d;
/** A rank-2 {@link tensor}. */
export const tensor2d: typeof tf.tensor2d = ((...args: Parameters<typeof tf.tensor2d>) =>
  mirrorIntegers(tf.tensor2d(...args))) as typeof tf.tensor2d;
/** A rank-3 {@link tensor}. */
export const tensor3d: typeof tf.tensor3d = ((...args: Parameters<typeof tf.tensor3d>) =>
  mirrorIntegers(tf.tensor3d(...args))) as typeof tf.tensor3d;
/** A rank-4 {@link tensor}. */
export const tensor4d: typeof tf.tensor4d = ((...args: Parameters<typeof tf.tensor4d>) =>
  mirrorIntegers(tf.tensor4d(...args))) as typeof tf.tensor4d;

/**
 * Keeps the band of a matrix (or batch of matrices) and zeroes the rest: entries (i, j) with
 * `i − j ≤ numLower` and `j − i ≤ numUpper` survive; −1 keeps a whole triangle. A causal mask is
 * `bandPart(ones([T, T]), -1, 0)`.
 */
export const bandPart: typeof tf.linalg.bandPart = tf.linalg.bandPart;

/**
 * The identity in the forward pass whose gradient is zero: PyTorch's `x.detach()`, TensorFlow's
 * `tf.stop_gradient`. Use it for values a loss treats as constants (a running reward mean, a KL
 * reference point) but computes from the differentiated inputs. The result shares `x`'s data.
 */
export function stopGradient<T extends Tensor>(x: T): T {
  return detach(x) as T;
}

const detach: (x: Tensor) => Tensor = tf.customGrad((x: Tensor | tf.GradSaveFunc) => ({
  value: tf.clone(x as Tensor),
  gradFunc: (dy: Tensor) => tf.zerosLike(dy),
}));

/**
 * log σ(x) = −softplus(−x) elementwise, stable for any x (no overflow of e^−x for negative x,
 * no log(1 − ·) cancellation for positive x), with the gradient σ(−x)·dy.
 *
 * Replaces tfjs-core 4.22's `logSigmoid` (ops/log_sigmoid.ts), whose `customGrad` reads its
 * input from a closure instead of saving it: when that input is an intermediate of a
 * {@link scope} (as in every loss), the backward pass finds it freed and throws. This one saves
 * the input for the backward pass. On WebGPU the engine's softplus rounds 1 + e⁻ˣ to float32
 * before its log (for |x| < 13.9), so values near 0 (x ≳ 8) are accurate to 6e-8 absolute rather
 * than relative; the CPU backends round once, from float64.
 */
export function logSigmoid<T extends Tensor>(x: T): T {
  return logSigmoidWithGradient(x) as T;
}

const logSigmoidWithGradient: (x: Tensor) => Tensor = tf.customGrad(
  (x: Tensor | tf.GradSaveFunc, save: Tensor | tf.GradSaveFunc) => {
    const input = x as Tensor;
    (save as tf.GradSaveFunc)([input]);
    return {
      value: tf.neg(tf.softplus(tf.neg(input))),
      // d/dx log σ(x) = 1 − σ(x) = σ(−x), exact in both tails.
      gradFunc: (dy: Tensor, saved: Tensor[]) => tf.mul(dy, tf.sigmoid(tf.neg(saved[0]!))),
    };
  },
);
