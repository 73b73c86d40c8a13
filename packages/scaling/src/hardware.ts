/**
 * Accelerators for planning: peak dense throughput per precision (no 2:4 sparsity, which
 * datasheets often quote at twice the dense figure), memory and board power, each with the
 * document it comes from. Memory is in decimal GB as datasheets state it; A100 and H100 carry
 * 80 GiB physically, so planning with 80e9 bytes is conservative by up to 7%.
 */
import { ScalingError } from './errors.js';
import { check } from './internal/check.js';

/** Numeric formats with a quoted tensor-core peak. @public */
export type Precision = 'bf16' | 'fp8' | 'tf32';

/** One accelerator's specification. @public */
export interface Accelerator {
  readonly name: string;
  /** Peak dense FLOP/s per precision; absent where the chip has no such tensor-core mode. */
  readonly peakFlops: { readonly bf16: number; readonly fp8?: number; readonly tf32?: number };
  /** On-board memory in bytes. */
  readonly memoryBytes: number;
  /** Thermal design (board) power in watts: the planner's default draw. */
  readonly tdpWatts: number;
  /** Where the numbers come from. */
  readonly source: string;
}

/** Names of the built-in accelerators. @public */
export type AcceleratorId = 'a100' | 'h100' | 'h200' | 'b200' | 'mi300x';

const T = 1e12;

/**
 * Built-in accelerators. Dense peaks are half of the datasheets' "with sparsity" figures.
 * @public
 */
export const hardwareCatalog: Readonly<Record<AcceleratorId, Accelerator>> = Object.freeze({
  a100: {
    name: 'NVIDIA A100 SXM4 80GB',
    peakFlops: { bf16: 312 * T, tf32: 156 * T },
    memoryBytes: 80e9,
    tdpWatts: 400,
    source:
      'NVIDIA A100 Tensor Core GPU datasheet (2021): BF16 312 TFLOPS, TF32 156 TFLOPS dense; 80GB HBM2e; max TDP 400 W (SXM). No FP8 tensor cores.',
  },
  h100: {
    name: 'NVIDIA H100 SXM5 80GB',
    peakFlops: { bf16: 989.4 * T, fp8: 1978.9 * T, tf32: 494.7 * T },
    memoryBytes: 80e9,
    tdpWatts: 700,
    source:
      'NVIDIA H100 Tensor Core GPU Architecture whitepaper (2022), Table 1 (SXM5): BF16 989.4, FP8 1978.9, TF32 494.7 TFLOPS dense; H100 datasheet: 80GB HBM3, max TDP 700 W.',
  },
  h200: {
    name: 'NVIDIA H200 SXM 141GB',
    peakFlops: { bf16: 989.4 * T, fp8: 1978.9 * T, tf32: 494.7 * T },
    memoryBytes: 141e9,
    tdpWatts: 700,
    source:
      'NVIDIA H200 Tensor Core GPU datasheet (2024): BF16 1,979, FP8 3,958, TF32 989 TFLOPS with sparsity (dense: half, the H100 SXM silicon); 141GB HBM3e; max TDP up to 700 W.',
  },
  b200: {
    name: 'NVIDIA B200 (HGX B200)',
    peakFlops: { bf16: 2250 * T, fp8: 4500 * T, tf32: 1100 * T },
    memoryBytes: 180e9,
    tdpWatts: 1000,
    source:
      'NVIDIA HGX B200 specifications (2024), per GPU of 8: FP8 9, BF16 4.5, TF32 2.2 PFLOPS with sparsity (dense: half); 1,440GB per 8 GPUs (180GB each); 1,000 W per GPU.',
  },
  mi300x: {
    name: 'AMD Instinct MI300X',
    peakFlops: { bf16: 1307.4 * T, fp8: 2614.9 * T, tf32: 653.7 * T },
    memoryBytes: 192e9,
    tdpWatts: 750,
    source:
      'AMD Instinct MI300X accelerator datasheet (2023): BF16 1307.4, FP8 2614.9, TF32 653.7 TFLOPS dense; 192GB HBM3; 750 W peak board power.',
  },
});

/**
 * An accelerator by catalog id, or a user entry checked for sane units.
 *
 * @example
 * ```ts
 * accelerator('h100').peakFlops.bf16; // 989.4e12
 * accelerator({ name: 'TPU v5p', peakFlops: { bf16: 459e12 }, memoryBytes: 95e9, tdpWatts: 450, source: 'Google Cloud TPU v5p docs' });
 * ```
 * @public
 */
export function accelerator(spec: AcceleratorId | Accelerator): Accelerator {
  return resolveAccelerator('accelerator', spec);
}

/** {@link accelerator} with the calling function's name in its errors. @internal */
export function resolveAccelerator(fn: string, spec: AcceleratorId | Accelerator): Accelerator {
  if (typeof spec === 'string') {
    const found = (hardwareCatalog as Record<string, Accelerator | undefined>)[spec.toLowerCase()];
    if (found === undefined) {
      throw new ScalingError({
        code: 'INVALID_ARGUMENT',
        fn,
        argument: 'gpu',
        detail: `unknown accelerator ${JSON.stringify(spec)}; the catalog has ${Object.keys(hardwareCatalog).join(', ')}, or pass {name, peakFlops, memoryBytes, tdpWatts, source}.`,
      });
    }
    return found;
  }
  if (typeof spec !== 'object' || spec === null || typeof spec.peakFlops !== 'object') {
    throw new ScalingError({
      code: 'INVALID_ARGUMENT',
      fn,
      argument: 'gpu',
      detail:
        'expected a catalog id or {name, peakFlops: {bf16, fp8?, tf32?}, memoryBytes, tdpWatts, source}.',
    });
  }
  const flops = (key: Precision, value: unknown): number => {
    const x = check.positive(fn, `gpu.peakFlops.${key}`, value);
    if (x < 1e9) {
      throw new ScalingError({
        code: 'INVALID_ARGUMENT',
        fn,
        argument: `gpu.peakFlops.${key}`,
        detail: `expected FLOP/s (989.4e12 for 989.4 TFLOP/s), received ${x}; it looks like TFLOP/s.`,
      });
    }
    return x;
  };
  const memoryBytes = check.positive(fn, 'gpu.memoryBytes', spec.memoryBytes);
  if (memoryBytes < 1e6) {
    throw new ScalingError({
      code: 'INVALID_ARGUMENT',
      fn,
      argument: 'gpu.memoryBytes',
      detail: `expected bytes (80e9 for 80 GB), received ${memoryBytes}; it looks like GB.`,
    });
  }
  return {
    name: typeof spec.name === 'string' ? spec.name : 'custom accelerator',
    peakFlops: {
      bf16: flops('bf16', spec.peakFlops.bf16),
      ...(spec.peakFlops.fp8 === undefined ? {} : { fp8: flops('fp8', spec.peakFlops.fp8) }),
      ...(spec.peakFlops.tf32 === undefined ? {} : { tf32: flops('tf32', spec.peakFlops.tf32) }),
    },
    memoryBytes,
    tdpWatts: check.positive(fn, 'gpu.tdpWatts', spec.tdpWatts),
    source: typeof spec.source === 'string' ? spec.source : 'user entry',
  };
}
