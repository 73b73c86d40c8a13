/**
 * The causal-attention kernels registered for tfjs's WebGPU backend. They reach the backend only
 * through the `backend` object the engine passes in (`runWebGPUProgram`, and its own Slice
 * kernel to unpack results), so this module imports nothing from tfjs-backend-webgpu and costs
 * nothing where WebGPU is absent.
 */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { tf } from '../internal/engine.js';
import {
  CAUSAL_ATTENTION,
  CAUSAL_ATTENTION_GRAD_KV,
  CAUSAL_ATTENTION_GRAD_Q,
  type CausalAttentionAttrs,
} from '../kernels/causalAttention.js';
import { gradKVProgram, gradQProgram } from './attentionBackwardShaders.js';
import { forwardF16Program } from './attentionF16Shaders.js';
import { type AttentionProgram, forwardProgram } from './attentionShaders.js';

interface WebGpuBackendLike {
  runWebGPUProgram(
    program: AttentionProgram,
    inputs: TensorInfo[],
    outputDtype: 'float32',
    uniforms: { type: 'float32'; data: number[] }[],
  ): TensorInfo;
  disposeData(dataId: object): boolean;
}

/** Splits a packed [BH, N, W] result along its last axis into blocks of the given widths. */
function unpack(backend: WebGpuBackendLike, packed: TensorInfo, widths: number[]): TensorInfo[] {
  const slice = tf.getKernel('Slice', 'webgpu')!.kernelFunc;
  const [bh, n] = packed.shape as [number, number, number];
  let column = 0;
  const parts = widths.map((width) => {
    const part = slice({
      inputs: { x: packed },
      backend: backend as never,
      attrs: { begin: [0, 0, column], size: [bh, n, width] },
    }) as TensorInfo;
    column += width;
    return part;
  });
  backend.disposeData(packed.dataId);
  return parts;
}

const run = (
  backend: WebGpuBackendLike,
  program: AttentionProgram,
  inputs: TensorInfo[],
  scale: number,
): TensorInfo =>
  backend.runWebGPUProgram(program, inputs, 'float32', [{ type: 'float32', data: [scale] }]);

/** The forward kernel running `build`'s program (f32, or f16 products with f32 accumulation). */
const forwardKernel =
  (build: (bh: number, t: number, d: number) => AttentionProgram): KernelFunc =>
  ({ inputs, backend, attrs }) => {
    const { q, k, v } = inputs as { q: TensorInfo; k: TensorInfo; v: TensorInfo };
    const { scale } = attrs as unknown as CausalAttentionAttrs;
    const [bh, t, d] = q.shape as [number, number, number];
    const gpu = backend as unknown as WebGpuBackendLike;
    return unpack(gpu, run(gpu, build(bh, t, d), [q, k, v], scale), [d, 1]);
  };

function gradInputs(inputs: object): TensorInfo[] {
  const { q, k, v, dO, lse, delta } = inputs as Record<string, TensorInfo>;
  return [q!, k!, v!, dO!, lse!, delta!];
}

const gradQ: KernelFunc = ({ inputs, backend, attrs }) => {
  const ordered = gradInputs(inputs);
  const [bh, t, d] = ordered[0]!.shape as [number, number, number];
  const { scale } = attrs as unknown as CausalAttentionAttrs;
  return run(backend as unknown as WebGpuBackendLike, gradQProgram(bh, t, d), ordered, scale);
};

const gradKV: KernelFunc = ({ inputs, backend, attrs }) => {
  const ordered = gradInputs(inputs);
  const [bh, s, d] = ordered[1]!.shape as [number, number, number];
  const { scale } = attrs as unknown as CausalAttentionAttrs;
  const gpu = backend as unknown as WebGpuBackendLike;
  return unpack(gpu, run(gpu, gradKVProgram(bh, s, d), ordered, scale), [d, d]);
};

export const webGpuAttentionKernels: readonly KernelConfig[] = [
  {
    kernelName: CAUSAL_ATTENTION,
    backendName: 'webgpu',
    kernelFunc: forwardKernel(forwardProgram),
  },
  { kernelName: CAUSAL_ATTENTION_GRAD_Q, backendName: 'webgpu', kernelFunc: gradQ },
  { kernelName: CAUSAL_ATTENTION_GRAD_KV, backendName: 'webgpu', kernelFunc: gradKV },
];

/**
 * Replaces the forward for `precision: 'f16'` (registered only on a device with shader-f16); the
 * backward stays f32, recomputing probabilities from this forward's f32 log-sum-exp.
 */
export const webGpuAttentionF16Kernels: readonly KernelConfig[] = [
  {
    kernelName: CAUSAL_ATTENTION,
    backendName: 'webgpu',
    kernelFunc: forwardKernel(forwardF16Program),
  },
];
