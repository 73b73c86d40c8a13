/**
 * TensorScatterUpdate (`tf.tensor_scatter_nd_update`): a copy of `tensor` with the slices that
 * `indices` address replaced by `updates`. tfjs-backend-cpu 4.22 writes the updates into the
 * input's own buffer and returns that buffer as the output, so the input changes too and the two
 * tensors alias; this kernel copies first, as TensorFlow and the wasm backend do.
 */
import type { KernelConfig, KernelFunc, TensorInfo, TypedArray } from '@tensorflow/tfjs-core';

/**
 * Reference: `out` holds a copy of the tensor (row-major, `shape`); each of the
 * `indices.length / sliceRank` index tuples addresses a slice of the trailing dimensions, which
 * is overwritten with the matching slice of `updates`. Throws on an index outside `shape`.
 */
export function tensorScatterUpdateReference(
  out: Float32Array | Int32Array | Uint8Array,
  shape: readonly number[],
  indices: ArrayLike<number>,
  sliceRank: number,
  updates: ArrayLike<number>,
): void {
  const sliceSize = shape.slice(sliceRank).reduce((a, b) => a * b, 1);
  const count = sliceRank === 0 ? 0 : indices.length / sliceRank;
  for (let i = 0; i < count; i++) {
    let offset = 0;
    for (let j = 0; j < sliceRank; j++) {
      const index = indices[i * sliceRank + j]!;
      const size = shape[j]!;
      if (index < 0 || index >= size) {
        throw new RangeError(
          `index ${index} at position ${j} of update ${i} is outside [0, ${size})`,
        );
      }
      offset = offset * size + index;
    }
    for (let k = 0; k < sliceSize; k++) out[offset * sliceSize + k] = updates[i * sliceSize + k]!;
  }
}

/** The synchronous part of tfjs's backend interface that the cpu backend implements. */
interface SyncBackend {
  readSync(dataId: object): TypedArray | string[] | Uint8Array[];
  write(values: TypedArray, shape: number[], dtype: string): object;
}

const tensorScatterUpdate: KernelFunc = ({ inputs, backend }) => {
  const { tensor, indices, updates } = inputs as Record<
    'tensor' | 'indices' | 'updates',
    TensorInfo
  >;
  const io = backend as unknown as SyncBackend;
  const out = (io.readSync(tensor.dataId) as Float32Array | Int32Array | Uint8Array).slice();
  const sliceRank = indices.shape[indices.shape.length - 1] ?? 0;
  tensorScatterUpdateReference(
    out,
    tensor.shape,
    io.readSync(indices.dataId) as Int32Array,
    sliceRank,
    io.readSync(updates.dataId) as Float32Array | Int32Array | Uint8Array,
  );
  return {
    dataId: io.write(out, tensor.shape, tensor.dtype),
    shape: tensor.shape,
    dtype: tensor.dtype,
  };
};

/** The kernel for the cpu backend, whose own kernel overwrites its input. */
export function tensorScatterUpdateKernel(backendName: string): KernelConfig {
  return { kernelName: 'TensorScatterUpdate', backendName, kernelFunc: tensorScatterUpdate };
}
