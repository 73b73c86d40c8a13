/**
 * Identity (`clone`) for the wasm backend without a copy: the output shares the input's memory
 * and the backend's reference count keeps it alive, as the wasm Reshape kernel and the cpu
 * backend's Identity already do. Tensors are immutable, so sharing is safe.
 *
 * It matters for training: the engine clones every tensor it saves for the backward pass, and
 * tfjs's wasm Identity copies it — a few hundred copies per step of a small transformer.
 */
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';

interface RefCounting {
  incRef(dataId: object): void;
}

export const identityWasmKernel: KernelConfig = {
  kernelName: 'Identity',
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend }) => {
    const { x } = inputs as { x: TensorInfo };
    (backend as unknown as RefCounting).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  },
};
