/**
 * The one place where llmkit registers kernels with the engine. Each entry replaces or adds a
 * kernel for one backend, so this table is the full list of what llmkit changes in the engine.
 */
import type { KernelConfig } from '@tensorflow/tfjs-core';
import { tf } from './engine.js';
import { identityKernel } from './kernels/identity.js';
import { tensorScatterUpdateKernel } from './kernels/tensorScatterUpdate.js';
import { unsortedSegmentSumKernel } from './kernels/unsortedSegmentSum.js';

/** The kernels llmkit provides, per backend. */
const KERNELS: Readonly<Record<string, readonly KernelConfig[]>> = {
  cpu: [unsortedSegmentSumKernel('cpu'), tensorScatterUpdateKernel('cpu')],
  wasm: [unsortedSegmentSumKernel('wasm'), identityKernel('wasm')],
};

const registered = new Set<string>();

/** Registers llmkit's kernels for a backend (once); replaces the engine's own where present. */
export function registerLlmkitKernels(backendName: string): void {
  for (const config of KERNELS[backendName] ?? []) {
    const key = `${backendName}/${config.kernelName}`;
    if (registered.has(key)) continue;
    if (tf.getKernel(config.kernelName, backendName) !== undefined) {
      tf.unregisterKernel(config.kernelName, backendName);
    }
    tf.registerKernel(config);
    registered.add(key);
  }
}
