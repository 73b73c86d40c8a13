/**
 * Slice and SplitV for the wasm backend as block copies: each output is a set of contiguous runs
 * of the input's bytes in the WebAssembly heap, each copied by `copyWithin` (a memmove).
 *
 * tfjs's wasm kernels copy a strided slice one element at a time (measured here: ~7 ms to split
 * a [2048, 384] matrix into three column blocks, 0.3 ms this way), and a transformer splits its
 * fused q/k/v projection that way in every layer. (Concat, the split's gradient, is already fast
 * in tfjs's wasm backend.)
 */
import type { DataType, KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { tf } from '../internal/engine.js';

const product = (dims: readonly number[]): number => dims.reduce((a, b) => a * b, 1);

/** The wasm backend's heap and where each tensor's bytes start in it. */
interface WasmBackendLike {
  wasm: { HEAPU8: Uint8Array };
  dataIdMap: { get(dataId: object): { memoryOffset: number } };
  makeOutput(shape: number[], dtype: DataType): TensorInfo;
}

/** Byte-level access to tensors in the wasm heap: every copy is one `copyWithin` (a memmove). */
interface Heap {
  allocate(shape: number[], dtype: DataType): TensorInfo;
  offset(info: TensorInfo): number;
  /** Bytes per element. */
  width(dtype: DataType): number;
  copy(to: number, from: number, bytes: number): void;
}

function heapOf(backend: object): Heap {
  const wasm = backend as WasmBackendLike;
  return {
    allocate: (shape, dtype) => wasm.makeOutput(shape, dtype),
    offset: (info) => wasm.dataIdMap.get(info.dataId).memoryOffset,
    width: (dtype) => (dtype === 'bool' ? 1 : 4),
    // Read HEAPU8 at each call: allocating may have grown the heap and replaced the view.
    copy: (to, from, bytes) => void wasm.wasm.HEAPU8.copyWithin(to, from, from + bytes),
  };
}

/**
 * Copies the block `begin`..`begin + size` of `src` (shape `shape`) to `dst` (row-major, shape
 * `size`), one contiguous run per index of the leading axes.
 */
export function copyBlock(
  heap: Heap,
  src: TensorInfo,
  begin: readonly number[],
  size: readonly number[],
  dst: TensorInfo,
): void {
  const { shape } = src;
  const rank = shape.length;
  const width = heap.width(src.dtype);
  // Merge trailing axes taken whole into one longer run.
  let last = rank - 1;
  while (last > 0 && begin[last] === 0 && size[last] === shape[last]) last--;
  const run = product(size.slice(last)) * width;
  const strides = shape.map((_, axis) => product(shape.slice(axis + 1)) * width);
  const runs = product(size.slice(0, last));
  const index = new Array<number>(last).fill(0);
  const srcBase = heap.offset(src);
  const dstBase = heap.offset(dst);
  for (let r = 0; r < runs; r++) {
    let from = srcBase + begin[last]! * strides[last]!;
    for (let axis = 0; axis < last; axis++) from += (begin[axis]! + index[axis]!) * strides[axis]!;
    heap.copy(dstBase + r * run, from, run);
    for (let axis = last - 1; axis >= 0; axis--) {
      if (++index[axis]! < size[axis]!) break;
      index[axis] = 0;
    }
  }
}

/** Slice(x, begin, size). */
export const sliceWasmKernel: KernelConfig = {
  kernelName: 'Slice',
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { x } = inputs as { x: TensorInfo };
    const raw = attrs as unknown as { begin: number | number[]; size?: number | number[] };
    // Fills in omitted trailing axes and sizes of −1, as the engine's kernels do.
    const [begin, sizes] = tf.slice_util.parseSliceParams(x as tf.Tensor, raw.begin, raw.size) as [
      number[],
      number[],
    ];
    const heap = heapOf(backend);
    const out = heap.allocate(sizes, x.dtype);
    if (product(sizes) > 0) copyBlock(heap, x, begin, sizes, out);
    return out;
  },
};

/** SplitV(x, numOrSizeSplits, axis): consecutive blocks along one axis. */
export const splitVWasmKernel: KernelConfig = {
  kernelName: 'SplitV',
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { x } = inputs as { x: TensorInfo };
    const { numOrSizeSplits, axis } = attrs as unknown as {
      numOrSizeSplits: number | number[];
      axis: number;
    };
    const a = axis < 0 ? axis + x.shape.length : axis;
    let sizes: number[];
    if (typeof numOrSizeSplits === 'number') {
      sizes = new Array(numOrSizeSplits).fill(x.shape[a]! / numOrSizeSplits);
    } else {
      const known = numOrSizeSplits.reduce((s, v) => (v === -1 ? s : s + v), 0);
      sizes = numOrSizeSplits.map((v) => (v === -1 ? x.shape[a]! - known : v));
    }
    const heap = heapOf(backend);
    const outs = sizes.map((s) =>
      heap.allocate(
        x.shape.map((d, i) => (i === a ? s : d)),
        x.dtype,
      ),
    );
    const begin = x.shape.map(() => 0);
    outs.forEach((out, i) => {
      if (product(out.shape) > 0) copyBlock(heap, x, begin, out.shape, out);
      begin[a]! += sizes[i]!;
    });
    return outs;
  },
};
