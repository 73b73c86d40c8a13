/**
 * AddN for tfjs's WebGPU backend in groups the device can bind. The engine's kernel binds every
 * input as a storage buffer in one shader; with more than `maxStorageBuffersPerShaderStage − 1`
 * inputs (7 under WebGPU's default limits, which tfjs does not raise) the pipeline is invalid
 * and the result is garbage, silently. Summing a model's gradient norms (clipGradNorm) takes
 * one input per parameter, so this regroups: sums of at most that many, then sums of the sums.
 */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';

interface WebGpuBackendLike {
  device?: { limits?: { maxStorageBuffersPerShaderStage?: number } };
  disposeData(dataId: object): boolean;
}

/** The corrected kernel; `engineAddN` returns the engine's own, which sums each group. */
export function addNWebGpuKernel(engineAddN: () => KernelConfig | undefined): KernelConfig {
  const kernelFunc: KernelFunc = ({ inputs, backend, attrs }) => {
    const engine = engineAddN()?.kernelFunc;
    if (engine === undefined) throw new Error('the webgpu backend has no AddN kernel');
    const gpu = backend as unknown as WebGpuBackendLike;
    const buffers = gpu.device?.limits?.maxStorageBuffersPerShaderStage ?? 8;
    const group = Math.max(2, buffers - 1); // one buffer is the output
    const run = (tensors: TensorInfo[]): TensorInfo =>
      engine({ inputs: tensors as never, backend, ...(attrs ? { attrs } : {}) }) as TensorInfo;
    let level = inputs as unknown as TensorInfo[];
    const partial: TensorInfo[] = [];
    while (level.length > group) {
      const next: TensorInfo[] = [];
      for (let i = 0; i < level.length; i += group) {
        const slice = level.slice(i, i + group);
        if (slice.length === 1) {
          next.push(slice[0]!);
          continue;
        }
        const sum = run(slice);
        partial.push(sum);
        next.push(sum);
      }
      level = next;
    }
    const result = run(level);
    for (const t of partial) gpu.disposeData(t.dataId);
    return result;
  };
  return { kernelName: 'AddN', backendName: 'webgpu', kernelFunc };
}
