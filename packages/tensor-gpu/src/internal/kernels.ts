/**
 * The one place where llmkit registers kernels and gradients with the engine. Each entry replaces
 * or adds a kernel for one backend, so this table is the full list of what llmkit changes in the
 * engine; `llmkitKernelNames` lists it for tools that record which kernels run.
 *
 * Two modes: `'fast'` (the default) registers everything; `'engine'` keeps the engine's own
 * kernels wherever it has one and registers only what it lacks (e.g. UnsortedSegmentSum on wasm),
 * so a model can be run both ways to compare speed or numerics. Fused operations (`gelu`,
 * `layerNorm`, …) check whether their kernel is registered for the current backend and otherwise
 * compute the same function from the engine's primitive operations.
 */
import type { GradConfig, KernelConfig } from '@tensorflow/tfjs-core';
import { adamWKernel } from '../kernels/adamW.js';
import { batchMatMulKernel } from '../kernels/batchMatMul.js';
import { causalAttentionGradient } from '../kernels/causalAttention.js';
import { causalSoftmaxGradient, causalSoftmaxOrtKernel } from '../kernels/causalSoftmax.js';
import { geluGradient, geluGradKernel, geluKernel } from '../kernels/gelu.js';
import type { HostKernelFactory } from '../kernels/hostKernel.js';
import { identityWasmKernel } from '../kernels/identity.js';
import {
  layerNormGradient,
  layerNormGradKernel,
  layerNormKernel,
  layerNormOrtKernel,
} from '../kernels/layerNorm.js';
import type { OrtKernelFactory } from '../kernels/ortKernel.js';
import { rmsNormGradient, rmsNormGradKernel, rmsNormKernel } from '../kernels/rmsNorm.js';
import { sliceWasmKernel, splitVWasmKernel } from '../kernels/slices.js';
import {
  softmaxCrossEntropyGradient,
  softmaxCrossEntropyGradKernel,
  softmaxCrossEntropyGradOrtKernel,
  softmaxCrossEntropyKernel,
  softmaxCrossEntropyOrtKernel,
} from '../kernels/softmaxCrossEntropy.js';
import { sumKernel, sumOrtKernel } from '../kernels/sum.js';
import { webGpuAttentionF16Kernels, webGpuAttentionKernels } from '../webgpu/attentionKernels.js';
import { tf } from './engine.js';
import { addNWebGpuKernel } from './kernels/addNWebGpu.js';
import { tensorScatterUpdateKernel } from './kernels/tensorScatterUpdate.js';
import { unsortedSegmentSumKernel } from './kernels/unsortedSegmentSum.js';
import { loadOnnxRuntime } from './onnxruntime.js';

/** How llmkit's kernels are chosen. */
export interface KernelOptions {
  /** `'fast'`: llmkit's kernels; `'engine'`: the engine's own wherever it has one. */
  readonly mode: 'fast' | 'engine';
  /** Threads ONNX Runtime may use for matrix products. */
  readonly threads: number;
  /** `'f16'`: the f16 variants below replace their f32 kernels ('fast' mode only). */
  readonly precision: 'f32' | 'f16';
}

/** What the registration changed, for `ComputeInfo`. */
export interface KernelReport {
  readonly features: readonly string[];
  readonly notes: readonly string[];
}

/**
 * Kernels the engine lacks or has only in a form too slow to train with; registered in both modes
 * where the engine has none (UnsortedSegmentSum, the gradient of gather, has no wasm kernel).
 */
const REQUIRED: Readonly<Record<string, readonly KernelConfig[]>> = {
  cpu: [unsortedSegmentSumKernel('cpu')],
  wasm: [unsortedSegmentSumKernel('wasm')],
};

/**
 * Engine kernels replaced in both modes because the engine's own is wrong or wasteful: cpu
 * TensorScatterUpdate writes into its input (the output aliases it), wasm Identity copies
 * every tensor autodiff saves for the backward pass, doubling activation memory, and webgpu
 * AddN returns garbage for more inputs than a shader can bind.
 */
const CORRECTIONS: Readonly<Record<string, readonly KernelConfig[]>> = {
  cpu: [tensorScatterUpdateKernel('cpu')],
  wasm: [identityWasmKernel],
  webgpu: [addNWebGpuKernel(() => engineKernel('webgpu', 'AddN'))],
};

/** Fused and faster kernels computed in JavaScript on host memory ('fast' mode only). */
const FAST_HOST: readonly HostKernelFactory[] = [
  sumKernel,
  layerNormKernel,
  layerNormGradKernel,
  rmsNormKernel,
  rmsNormGradKernel,
  softmaxCrossEntropyKernel,
  softmaxCrossEntropyGradKernel,
  adamWKernel,
];

/** Fused kernels that run as ONNX Runtime graphs ('fast' mode, when onnxruntime-node loads). */
const FAST_ORT: readonly OrtKernelFactory[] = [
  sumOrtKernel,
  geluKernel,
  geluGradKernel,
  layerNormOrtKernel,
  causalSoftmaxOrtKernel,
  softmaxCrossEntropyOrtKernel,
  softmaxCrossEntropyGradOrtKernel,
];

/** Engine kernels replaced by plain configs, per backend ('fast' mode only). */
const FAST_CONFIGS: Readonly<Record<string, readonly KernelConfig[]>> = {
  wasm: [sliceWasmKernel, splitVWasmKernel],
  webgpu: webGpuAttentionKernels,
};

/**
 * Kernels with f16 products replacing 'fast' ones under `precision: 'f16'` (chosen by the backend
 * starter only where the device compiles f16 WGSL); same kernel names, so nothing else changes.
 */
const F16_CONFIGS: Readonly<Record<string, readonly KernelConfig[]>> = {
  webgpu: webGpuAttentionF16Kernels,
};

const HOST_BACKENDS: ReadonlySet<string> = new Set(['cpu', 'wasm']);

/** Gradients of llmkit's own kernels (registered once, for every backend). */
const GRADIENTS: readonly GradConfig[] = [
  geluGradient,
  layerNormGradient,
  rmsNormGradient,
  causalSoftmaxGradient,
  softmaxCrossEntropyGradient,
  causalAttentionGradient,
];

/** The engine's kernel for each `backend/kernelName` llmkit replaces, captured before replacing. */
const engineKernels = new Map<string, KernelConfig | undefined>();
/** Kernel names llmkit has installed, per backend. */
const installed = new Map<string, Set<string>>();
let gradientsRegistered = false;

function engineKernel(backendName: string, kernelName: string): KernelConfig | undefined {
  const k = `${backendName}/${kernelName}`;
  if (!engineKernels.has(k)) engineKernels.set(k, tf.getKernel(kernelName, backendName));
  return engineKernels.get(k);
}

function install(backendName: string, kernelName: string, config: KernelConfig | undefined): void {
  if (tf.getKernel(kernelName, backendName) !== undefined) {
    tf.unregisterKernel(kernelName, backendName);
  }
  if (config !== undefined) tf.registerKernel(config);
}

/** The host backends' 'fast' kernels, with the reason ONNX Runtime is or is not used. */
function hostEntries(backendName: string, options: KernelOptions): [KernelConfig[], KernelReport] {
  const engine = engineKernel(backendName, 'BatchMatMul');
  const transpose = tf.getKernel('Transpose', backendName);
  const reshape = tf.getKernel('Reshape', backendName);
  if (engine === undefined || transpose === undefined || reshape === undefined) {
    throw new Error(`the ${backendName} backend has no BatchMatMul, Transpose or Reshape kernel`);
  }
  const loaded = loadOnnxRuntime();
  const ort = loaded instanceof Error ? undefined : loaded;
  const configs = FAST_HOST.map((f) =>
    f.create(backendName, engineKernel(backendName, f.kernelName)),
  );
  configs.push(
    batchMatMulKernel(backendName, { engine, transpose, reshape, ort, threads: options.threads }),
  );
  if (ort === undefined) {
    const reason = (loaded as Error).message;
    return [
      configs,
      {
        features: [],
        notes: [
          `matrix products use the engine's kernel and gelu composes the engine's operations: ${reason}`,
        ],
      },
    ];
  }
  for (const factory of FAST_ORT) {
    configs.push(
      factory.create(
        backendName,
        ort,
        options.threads,
        engineKernel(backendName, factory.kernelName),
      ),
    );
  }
  return [
    configs,
    {
      features: ['onnxruntime'],
      notes: [
        `matrix products and fused kernels run in onnxruntime-node ${ort.version} on ${options.threads} thread(s)`,
      ],
    },
  ];
}

/** Registers llmkit's kernels for a backend (again on every call, so the mode can change). */
export function registerLlmkitKernels(backendName: string, options: KernelOptions): KernelReport {
  if (!gradientsRegistered) {
    for (const gradient of GRADIENTS) tf.registerGradient(gradient);
    gradientsRegistered = true;
  }
  const wanted = new Map<string, KernelConfig>();
  for (const config of REQUIRED[backendName] ?? []) {
    if (options.mode === 'fast' || engineKernel(backendName, config.kernelName) === undefined) {
      wanted.set(config.kernelName, config);
    }
  }
  for (const config of CORRECTIONS[backendName] ?? []) wanted.set(config.kernelName, config);
  let report: KernelReport = { features: [], notes: [] };
  if (options.mode === 'fast') {
    for (const config of FAST_CONFIGS[backendName] ?? []) wanted.set(config.kernelName, config);
    if (options.precision === 'f16') {
      for (const config of F16_CONFIGS[backendName] ?? []) wanted.set(config.kernelName, config);
    }
  }
  if (options.mode === 'fast' && HOST_BACKENDS.has(backendName)) {
    const [configs, hostReport] = hostEntries(backendName, options);
    for (const config of configs) wanted.set(config.kernelName, config);
    report = hostReport;
  } else if (options.mode === 'engine') {
    report = { features: [], notes: ["llmkit's fused and faster kernels are off"] };
  }
  const mine = installed.get(backendName) ?? new Set<string>();
  for (const kernelName of mine) {
    if (!wanted.has(kernelName)) {
      install(backendName, kernelName, engineKernel(backendName, kernelName));
    }
  }
  for (const [kernelName, config] of wanted) {
    engineKernel(backendName, kernelName);
    install(backendName, kernelName, config);
  }
  installed.set(backendName, new Set(wanted.keys()));
  return report;
}

/** Every kernel name llmkit may register in 'fast' mode, per backend. */
export function llmkitKernelNames(): Readonly<Record<string, readonly string[]>> {
  const names: Record<string, string[]> = {};
  for (const backend of HOST_BACKENDS) {
    names[backend] = [
      ...(REQUIRED[backend] ?? []).map((c) => c.kernelName),
      ...(CORRECTIONS[backend] ?? []).map((c) => c.kernelName),
      ...FAST_HOST.map((f) => f.kernelName),
      ...(FAST_CONFIGS[backend] ?? []).map((c) => c.kernelName),
      'BatchMatMul',
      ...FAST_ORT.map((f) => f.kernelName),
    ];
  }
  names.webgpu = [...(CORRECTIONS.webgpu ?? []), ...(FAST_CONFIGS.webgpu ?? [])].map(
    (c) => c.kernelName,
  );
  return names;
}

/** True while the engine records operations for a gradient (inside `ops.grads` and friends). */
export function recordingGradients(): boolean {
  return (tf.engine() as unknown as { state: { gradientDepth: number } }).state.gradientDepth > 0;
}

/** True when a kernel is registered for the current backend. */
export function hasKernel(kernelName: string): boolean {
  return tf.getKernel(kernelName, tf.getBackend()) !== undefined;
}
