/**
 * Synchronous reads only where they are cheap and possible: on cpu and wasm every tensor's
 * values live in host memory; on WebGPU only those not yet computed on the device (tensors
 * made from host arrays keep their values until a kernel uploads them, and `ops`' creators keep
 * a host copy of int32 and bool tensors for good). A synchronous readback of GPU results needs
 * `OffscreenCanvas`, which Node lacks, and stalls the queue in browsers.
 */
import { tf } from './internal/engine.js';
import { type HostArray, keepMirror, mirrored } from './internal/hostMirror.js';
import type { Tensor } from './tensor.js';

/** The host values of a float32, int32 or bool tensor. @public */
export type HostValues = HostArray;

/** What the WebGPU backend keeps per tensor: `values` is set while they are on the host. */
interface TensorDataMap {
  get(dataId: object): { values?: unknown } | undefined;
}

/**
 * The tensor's values read synchronously when that costs no device round trip (always on the
 * cpu and wasm backends; on WebGPU for int32 and bool tensors made by `ops.tensor…` and for any
 * tensor whose values are still on the host), otherwise `undefined` — read those with
 * `await tensor.data()`. Library code uses it for synchronous checks that must not break on a
 * GPU.
 *
 * @example
 * ```ts
 * const values = hostValues(logSumExp);
 * if (values !== undefined) assertFinite(values); // checked wherever it is free
 * ```
 * @public
 */
export function hostValues(tensor: Tensor): HostValues | undefined {
  if (tf.getBackend() !== 'webgpu') return tensor.dataSync() as HostValues;
  const kept = mirrored(tensor);
  if (kept !== undefined) return kept;
  const tensorMap = (tf.backend() as unknown as { tensorMap?: TensorDataMap }).tensorMap;
  if (tensorMap?.get(tensor.dataId)?.values == null) return undefined;
  const values = tensor.dataSync() as HostValues;
  if (tensor.dtype !== 'float32') keepMirror(tensor, values);
  return values;
}
