/**
 * Host copies of the integer and bool tensors made from host arrays while WebGPU is the
 * backend. WebGPU drops a tensor's host values once a kernel uploads it, and cannot read device
 * buffers back synchronously in Node; ids, targets and masks are small and their values are
 * needed on the host (ranges, counts), so their creators keep a copy, released with the tensor
 * (the map is weak, keyed by the tensor's data id, which reshapes share).
 */
import type { Tensor } from '../tensor.js';
import { tf } from './engine.js';

/** Typed arrays that hold a float32, int32 or bool tensor's values. */
export type HostArray = Float32Array | Int32Array | Uint8Array;

const mirrors = new WeakMap<object, HostArray>();

/** Keeps `t`'s values when it is an int32 or bool tensor just made on WebGPU; returns `t`. */
export function mirrorIntegers<T extends Tensor>(t: T): T {
  if ((t.dtype === 'int32' || t.dtype === 'bool') && tf.getBackend() === 'webgpu') {
    mirrors.set(t.dataId, t.dataSync() as HostArray); // still on the host: no device read
  }
  return t;
}

/** The kept copy of `t`'s values, if any. */
export function mirrored(t: Tensor): HostArray | undefined {
  return mirrors.get(t.dataId);
}

/** Keeps values read while still on the host, so later reads survive an upload. */
export function keepMirror(t: Tensor, values: HostArray): void {
  mirrors.set(t.dataId, values);
}
