/**
 * UnsortedSegmentSum (`tf.math.unsorted_segment_sum`): out[s, …] = Σ x[n, …] over the n with
 * segmentIds[n] = s; ids outside [0, numSegments) are dropped, as TensorFlow does. The gradient
 * of `gather` (embedding lookup) is this kernel, so every language-model step runs it with
 * numSegments = vocabulary size.
 *
 * One linear pass over x. tfjs's CPU kernel loops over every segment (O(numSegments · N · D),
 * seconds for a 50k vocabulary) and its wasm backend has no kernel at all; this one serves both.
 */
import type { KernelConfig, KernelFunc, TensorInfo, TypedArray } from '@tensorflow/tfjs-core';

/**
 * Reference: x is [N, D] row-major (segmentIds may cover the leading dims of a higher-rank x, so
 * D is the product of the rest), segmentIds has N entries; returns [numSegments, D].
 */
export function unsortedSegmentSumReference(
  x: ArrayLike<number>,
  segmentIds: ArrayLike<number>,
  numSegments: number,
  out: Float32Array | Int32Array,
): void {
  const n = segmentIds.length;
  const d = n === 0 ? 0 : x.length / n;
  out.fill(0);
  for (let row = 0; row < n; row++) {
    const segment = segmentIds[row]!;
    if (segment < 0 || segment >= numSegments) continue;
    const source = row * d;
    const target = segment * d;
    for (let j = 0; j < d; j++) out[target + j]! += x[source + j]!;
  }
}

/** The synchronous part of tfjs's backend interface that cpu and wasm implement. */
interface SyncBackend {
  readSync(dataId: object): TypedArray | string[] | Uint8Array[];
  write(values: TypedArray, shape: number[], dtype: string): object;
}

const unsortedSegmentSum: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, segmentIds } = inputs as { x: TensorInfo; segmentIds: TensorInfo };
  const { numSegments } = attrs as unknown as { numSegments: number };
  const io = backend as unknown as SyncBackend;
  const values = io.readSync(x.dataId) as Float32Array | Int32Array;
  const ids = io.readSync(segmentIds.dataId) as Int32Array;
  const inner = x.shape.slice(segmentIds.shape.length);
  const rowSize = inner.reduce((a, b) => a * b, 1);
  const out =
    x.dtype === 'int32'
      ? new Int32Array(numSegments * rowSize)
      : new Float32Array(numSegments * rowSize);
  unsortedSegmentSumReference(values, ids, numSegments, out);
  const shape = [numSegments, ...inner];
  return { dataId: io.write(out, shape, x.dtype), shape, dtype: x.dtype };
};

/** The kernel for a backend that reads and writes tensors synchronously (cpu, wasm). */
export function unsortedSegmentSumKernel(backendName: string): KernelConfig {
  return { kernelName: 'UnsortedSegmentSum', backendName, kernelFunc: unsortedSegmentSum };
}
