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
 * `stopGradient`; {@link stopGradient} below builds one from `customGrad`.
 */
import { tf } from './internal/engine.js';
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
  logSigmoid,
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
  tensor,
  tensor1d,
  tensor2d,
  tensor3d,
  tensor4d,
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
