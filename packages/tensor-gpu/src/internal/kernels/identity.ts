/**
 * Identity (`clone`) without copying. tfjs keeps a clone of every tensor a gradient needs
 * (`saveTensorsForBackwardMode`: `keep(clone(x))`), and tfjs-backend-wasm's Identity copies the
 * data, so on wasm every saved activation costs a second buffer: a [8192, 50257] logits tensor
 * needs 1.6 GB more just to be remembered. Tensors are immutable, so the clone can share the
 * buffer and count one more reference to it, which is what the cpu backend's Identity (and the
 * wasm backend's own Reshape) already do.
 */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';

const identity: KernelFunc = ({ inputs, backend }) => {
  const { x } = inputs as { x: TensorInfo };
  (backend as unknown as { incRef(dataId: object): void }).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
};

/** The kernel for a backend whose buffers are reference-counted (wasm). */
export function identityKernel(backendName: string): KernelConfig {
  return { kernelName: 'Identity', backendName, kernelFunc: identity };
}
