/**
 * The AdamW update as one kernel: new parameter, first and second moment in a single pass over
 * the four arrays, with exactly the arithmetic of `adamWStepReference` (adamW.ts, checked against
 * torch.optim.AdamW). The engine's composition in `AdamW.update` runs about twelve elementwise
 * kernels per parameter, each a pass over memory.
 */
import type { Tensor } from '@tensorflow/tfjs-core';
import { tf } from '../internal/engine.js';
import { type HostKernelFactory, hostKernel } from './hostKernel.js';

export const ADAMW = 'LlmkitAdamW';

/** The hyperparameters of one update; `step` is 1-based. */
export interface AdamWKernelAttrs {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  weightDecay: number;
  step: number;
}

export const adamWKernel: HostKernelFactory = hostKernel<AdamWKernelAttrs>({
  kernelName: ADAMW,
  inputs: ['parameter', 'gradient', 'm', 'v'],
  outputs: ([p]) => [0, 1, 2].map(() => ({ shape: p!.shape, dtype: 'float32' as const })),
  compute([p, g, m, v], [pOut, mOut, vOut], attrs) {
    const { learningRate: lr, beta1, beta2, epsilon, weightDecay, step } = attrs;
    const stepSize = lr / (1 - beta1 ** step);
    const correction2 = Math.sqrt(1 - beta2 ** step);
    const decay = 1 - lr * weightDecay;
    const n = p!.length;
    for (let i = 0; i < n; i++) {
      const gi = g![i]!;
      const mi = beta1 * m![i]! + (1 - beta1) * gi;
      const vi = beta2 * v![i]! + (1 - beta2) * gi * gi;
      // Rounded to float32 before use, as the reference's in-place Float32Array writes are.
      const m32 = Math.fround(mi);
      const v32 = Math.fround(vi);
      mOut![i] = m32;
      vOut![i] = v32;
      pOut![i] = p![i]! * decay - (stepSize * m32) / (Math.sqrt(v32) / correction2 + epsilon);
    }
  },
});

/**
 * Applies one fused AdamW update to a parameter and its moments (variables), when the current
 * backend has the kernel; returns false (doing nothing) otherwise.
 */
export function fusedAdamWUpdate(
  parameter: tf.Variable,
  gradient: Tensor,
  m: tf.Variable,
  v: tf.Variable,
  attrs: AdamWKernelAttrs,
): boolean {
  if (tf.getKernel(ADAMW, tf.getBackend()) === undefined) return false;
  const [p, mNext, vNext] = tf
    .engine()
    .runKernel(ADAMW, { parameter, gradient, m, v }, { ...attrs }) as Tensor[];
  parameter.assign(p!);
  m.assign(mNext!);
  v.assign(vNext!);
  tf.dispose([p!, mNext!, vNext!]);
  return true;
}
