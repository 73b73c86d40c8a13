/**
 * When causal attention runs llmkit's WGSL kernels instead of composing tfjs's matMul and softmax
 * on WebGPU. Measured on an NVIDIA H200 (`docs/benchmarks.md`), the composition with its mask
 * made once is 3.5–4.5× faster than the kernels at T = 256 to 4096, so the kernels run only
 * where the composition cannot: when its [BH, T, S] scores exceed what one storage binding or
 * buffer of the device may hold. Tests and benchmarks lower the threshold to run the kernels at
 * any size.
 */
import { tf } from './engine.js';

let thresholdOverride: number | undefined;

/** Sets the score bytes above which the kernels run; `undefined` restores the device's limit. */
export function setFusedAttentionAbove(bytes: number | undefined): void {
  thresholdOverride = bytes;
}

/** The largest buffer one binding of the current WebGPU device takes (∞ when unknown). */
function bindingLimit(): number {
  const device = (tf.backend() as { device?: { limits?: Record<string, number | undefined> } })
    .device;
  const limits = device?.limits ?? {};
  return Math.min(
    limits.maxStorageBufferBindingSize ?? Number.POSITIVE_INFINITY,
    limits.maxBufferSize ?? Number.POSITIVE_INFINITY,
  );
}

/** Whether attention with `scoreBytes` of float32 scores (BH·T·S·4) should run the kernels. */
export function fusedAttentionFor(scoreBytes: number): boolean {
  return scoreBytes > (thresholdOverride ?? bindingLimit());
}
