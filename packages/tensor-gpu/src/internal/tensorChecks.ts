/** Argument checks for tensors at the public boundary of the fused operations. */
import { TensorError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { tf } from './engine.js';

/** A float32 tensor of rank ≥ `minRank`, or a `TensorError` naming the argument. */
export function checkFloatTensor(
  fn: string,
  argument: string,
  value: unknown,
  minRank = 0,
): Tensor {
  if (!(value instanceof tf.Tensor)) {
    throw new TensorError({
      code: 'INVALID_ARGUMENT',
      fn,
      argument,
      detail: `expected a tensor, received ${value === null ? 'null' : typeof value}.`,
    });
  }
  if (value.dtype !== 'float32') {
    throw new TensorError({
      code: 'DTYPE_MISMATCH',
      fn,
      argument,
      detail: `expected a float32 tensor, received ${value.dtype}; cast it with ops.cast(x, 'float32').`,
    });
  }
  if (value.rank < minRank) {
    throw new TensorError({
      code: 'SHAPE_MISMATCH',
      fn,
      argument,
      detail: `expected rank ≥ ${minRank}, received shape [${value.shape.join(', ')}].`,
    });
  }
  return value;
}

/** Throws `SHAPE_MISMATCH` unless `value` has exactly `shape`. */
export function checkShape(
  fn: string,
  argument: string,
  value: Tensor,
  shape: readonly number[],
): void {
  if (!tf.util.arraysEqual(value.shape, shape as number[])) {
    throw new TensorError({
      code: 'SHAPE_MISMATCH',
      fn,
      argument,
      detail: `expected shape [${shape.join(', ')}], received [${value.shape.join(', ')}].`,
    });
  }
}
