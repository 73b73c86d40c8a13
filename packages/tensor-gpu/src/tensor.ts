/**
 * The tensor types of llmkit. They are the engine's (tfjs-core's) classes, named here so that
 * callers import them from `@llmkit/tensor-gpu` and never from the engine: if the engine
 * changes, these names stay.
 *
 * A tensor is immutable, lives on the current backend's device and is freed by `dispose()` or
 * by leaving a {@link scope}. Read values with `await t.data()` (or `t.dataSync()` on CPU-side
 * backends). A `Variable` is a mutable tensor (`assign`) that scopes never free; optimizers
 * update variables.
 */
import type * as tfjs from '@tensorflow/tfjs-core';
import { tf } from './internal/engine.js';

/** An n-dimensional array on the compute device. @public */
export type Tensor<R extends Rank = Rank> = tfjs.Tensor<R>;
/** A rank-0 tensor (a loss). @public */
export type Scalar = tfjs.Scalar;
/** A mutable tensor (trainable parameter or optimizer state), updated with `assign`. @public */
export type Variable<R extends Rank = Rank> = tfjs.Variable<R>;
/** Tensor rank as the engine's string enum (`'R0'` … `'R6'`). @public */
export type Rank = tfjs.Rank;
/** Element type of a tensor. There is no 16-bit float tensor; see `precision`. @public */
export type DType = 'float32' | 'int32' | 'bool';
/** Nested arrays or typed arrays that `ops.tensor` accepts. @public */
export type TensorLike = tfjs.TensorLike;
/** Tensors by name (parameters, gradients). @public */
export type NamedTensors = Record<string, Tensor>;
/** Variables by name. @public */
export type NamedVariables = Record<string, Variable>;

/**
 * Whether a value is a tensor of the engine (works across duplicated engine copies).
 * @public
 */
export function isTensor(value: unknown): value is Tensor {
  return value instanceof tf.Tensor;
}
