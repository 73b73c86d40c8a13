/**
 * Choosing and starting the compute backend. `initCompute` must be awaited once before tensors
 * are made; it can be called again to switch backends (tensors move on first use).
 *
 * `'auto'` tries WebGPU (browser `navigator.gpu`, or Dawn through the optional `webgpu` package
 * in Node, plus the optional `@tensorflow/tfjs-backend-webgpu`), then wasm (XNNPACK, SIMD), then
 * the plain JavaScript cpu backend, and records why each faster one was passed over. A backend
 * named explicitly either starts or throws with the reason.
 */
import { TensorError } from './errors.js';
import {
  type BackendName,
  type Precision,
  type StartedBackend,
  startBackend,
} from './internal/backends.js';
import { check } from './internal/check.js';

export type { BackendName, Precision } from './internal/backends.js';

/** What `initCompute` may be asked for. @public */
export type BackendChoice = 'auto' | BackendName;

const CHOICES: readonly BackendChoice[] = ['auto', 'webgpu', 'wasm', 'cpu'];
const AUTO_ORDER: readonly BackendName[] = ['webgpu', 'wasm', 'cpu'];

/** Options of {@link initCompute}. @public */
export interface InitComputeOptions {
  /** Which backend to run on. @defaultValue `'auto'` */
  readonly backend?: BackendChoice;
  /**
   * Most CPU threads the backend may use (wasm in browsers with cross-origin isolation).
   * @defaultValue the number of logical cores
   */
  readonly threads?: number;
  /**
   * Where tfjs-backend-wasm's `.wasm` files are served from (a URL prefix ending in `/`), for
   * browsers whose bundler does not place them beside the script. Ignored in Node.
   */
  readonly wasmPath?: string;
  /**
   * `'fast'`: llmkit's kernels — matrix products in onnxruntime-node where it is installed (cpu
   * and wasm backends, on up to `threads` threads) and fused JavaScript kernels; `'engine'`: the
   * engine's own kernels wherever it has one, e.g. to compare speed or numerics.
   * @defaultValue `'fast'`
   */
  readonly kernels?: 'fast' | 'engine';
  /**
   * What llmkit's WebGPU kernels compute in. `'f16'`: kernels with an f16 variant (today the
   * causal-attention forward) hold their operands in float16 and multiply in float16, keeping
   * softmax statistics and sums in float32, on devices with WebGPU's `shader-f16`; elsewhere
   * (no such feature, cpu, wasm, `kernels: 'engine'`) everything stays float32 and
   * `ComputeInfo.notes` says why. Tensors are float32 either way: the engine has no 16-bit dtype.
   * @defaultValue `'f32'`
   */
  readonly precision?: Precision;
}

/** A faster backend that `'auto'` passed over, and why. @public */
export interface BackendFallback {
  readonly backend: BackendName;
  readonly reason: string;
}

/** The backend in use and what it offers. @public */
export interface ComputeInfo {
  /** The backend tensors now live on. */
  readonly backend: BackendName;
  /** The adapter (WebGPU) or CPU model (wasm, cpu) doing the work. */
  readonly device: string;
  /** CPU threads the backend computes with (1 for WebGPU's host side). */
  readonly threads: number;
  /** What llmkit's kernels compute in: `'f16'` only where asked for and the device can. */
  readonly precision: Precision;
  /**
   * Peak FLOP/s of this backend on this device, measured by a matmul probe; undefined until
   * `measurePeakFlops` has run for this device (the result is cached per device).
   */
  readonly peakFlops: number | undefined;
  /** Capabilities: `'simd'`, `'threads'` (wasm); the adapter's features, e.g. `'shader-f16'`. */
  readonly features: readonly string[];
  /** Faster backends `'auto'` tried first, with the reason each could not run. */
  readonly fallbacks: readonly BackendFallback[];
  /** Facts worth knowing about this configuration (e.g. why fewer threads than asked). */
  readonly notes: readonly string[];
}

let current: ComputeInfo | undefined;
let pending: Promise<unknown> = Promise.resolve();

/** The result of the last successful {@link initCompute}, or undefined before it. @public */
export function computeInfo(): ComputeInfo | undefined {
  return current;
}

/** Measured peaks by backend, device and threads, for this process. */
const peaks = new Map<string, number>();
const deviceKey = (info: Omit<ComputeInfo, 'peakFlops'>): string =>
  `${info.backend}|${info.device}|${info.threads}`;

/** Stores the measured peak of the current backend (set by `measurePeakFlops`). */
export function recordPeakFlops(peakFlops: number): void {
  if (current === undefined) return;
  peaks.set(deviceKey(current), peakFlops);
  current = { ...current, peakFlops };
}

/**
 * Starts a compute backend and makes it current.
 *
 * @example
 * ```ts
 * const info = await initCompute(); // { backend: 'wasm', device: '… (WebAssembly, XNNPACK)', … }
 * if (info.fallbacks.length > 0) console.log('no WebGPU:', info.fallbacks[0].reason);
 * ```
 * @throws TensorError `INVALID_ARGUMENT` for an unknown backend name or bad thread count;
 *   `UNAVAILABLE` when the named backend (or, for `'auto'`, every backend) cannot start.
 * @public
 */
export function initCompute(options: InitComputeOptions = {}): Promise<ComputeInfo> {
  const choice = options.backend ?? 'auto';
  if (!CHOICES.includes(choice)) {
    throw new TensorError({
      code: 'INVALID_ARGUMENT',
      fn: 'initCompute',
      argument: 'options.backend',
      detail: `unknown backend ${JSON.stringify(choice)}; expected one of ${CHOICES.map((c) => `'${c}'`).join(', ')}.`,
    });
  }
  if (options.kernels !== undefined && options.kernels !== 'fast' && options.kernels !== 'engine') {
    throw new TensorError({
      code: 'INVALID_ARGUMENT',
      fn: 'initCompute',
      argument: 'options.kernels',
      detail: `expected 'fast' or 'engine', received ${JSON.stringify(options.kernels)}.`,
    });
  }
  if (
    options.precision !== undefined &&
    options.precision !== 'f32' &&
    options.precision !== 'f16'
  ) {
    throw new TensorError({
      code: 'INVALID_ARGUMENT',
      fn: 'initCompute',
      argument: 'options.precision',
      detail: `expected 'f32' or 'f16', received ${JSON.stringify(options.precision)}.`,
    });
  }
  if (options.threads !== undefined) {
    check.integer('initCompute', 'options.threads', options.threads, { min: 1, max: 1024 });
  }
  // One start at a time: the engine has a single current backend.
  const run = pending.then(() => start(choice, options));
  pending = run.catch(() => undefined);
  return run;
}

async function start(choice: BackendChoice, options: InitComputeOptions): Promise<ComputeInfo> {
  const startOptions = {
    threads: options.threads,
    wasmPath: options.wasmPath,
    kernels: options.kernels ?? 'fast',
    hardwareOnly: choice === 'auto',
    precision: options.precision ?? 'f32',
  };
  const candidates = choice === 'auto' ? AUTO_ORDER : [choice];
  const fallbacks: BackendFallback[] = [];
  for (const backend of candidates) {
    let started: StartedBackend;
    try {
      started = await startBackend(backend, startOptions);
    } catch (error) {
      fallbacks.push({ backend, reason: (error as Error).message });
      continue;
    }
    const info = { backend, ...started, fallbacks };
    current = { ...info, peakFlops: peaks.get(deviceKey(info)) };
    return current;
  }
  const reasons = fallbacks.map((f) => `${f.backend}: ${f.reason}`).join('; ');
  throw new TensorError({
    code: 'UNAVAILABLE',
    fn: 'initCompute',
    argument: 'options.backend',
    detail:
      choice === 'auto'
        ? `no backend could start (${reasons}).`
        : `the ${choice} backend cannot run here (${reasons}). Use backend: 'auto' to fall back.`,
  });
}
