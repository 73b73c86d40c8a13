/**
 * Starting each backend. Nothing here runs at import: a backend's package is imported the first
 * time `initCompute` asks for it, so loading `@llmkit/tensor-gpu` stays cheap and WebGPU's native
 * pieces load only where wanted. Each starter either returns what the backend offers or throws
 * an `Error` whose message is the reason it cannot run (recorded by `initCompute`).
 */
import { tf } from './engine.js';
import { cpuModel, hardwareThreads, isNode } from './host.js';
import { type KernelReport, registerLlmkitKernels } from './kernels.js';
import {
  f16Unavailable,
  type GpuAdapterLike,
  registerWebGpuFactory,
  type WebGpuModule,
} from './webGpuDevice.js';

/** The backends llmkit can run on, fastest first. */
export type BackendName = 'webgpu' | 'wasm' | 'cpu';

/** What llmkit's own GPU kernels compute in (tensors are float32 either way). @public */
export type Precision = 'f32' | 'f16';

export interface StartedBackend {
  readonly device: string;
  readonly threads: number;
  readonly precision: Precision;
  readonly features: readonly string[];
  readonly notes: readonly string[];
}

export interface StartOptions {
  readonly threads: number | undefined;
  readonly wasmPath: string | undefined;
  /** `'fast'`: llmkit's kernels; `'engine'`: the engine's own wherever it has one. */
  readonly kernels: 'fast' | 'engine';
  /** Refuse software WebGPU adapters (`'auto'` does: the CPU backends outrun them). */
  readonly hardwareOnly: boolean;
  /** `'f16'`: llmkit's WGSL kernels that have an f16 variant use it, where the device can. */
  readonly precision: Precision;
}

async function use(name: BackendName): Promise<void> {
  let success: boolean;
  try {
    success = await tf.setBackend(name);
  } catch (error) {
    throw new Error(`the ${name} backend failed to initialise: ${(error as Error).message}`);
  }
  if (!success) throw new Error(`the ${name} backend failed to initialise`);
}

async function activate(
  name: BackendName,
  options: StartOptions,
  precision: Precision = 'f32',
): Promise<KernelReport> {
  await use(name);
  return registerLlmkitKernels(name, {
    mode: options.kernels,
    threads: options.threads ?? hardwareThreads(),
    precision,
  });
}

/** Why a backend without f16 kernels computes in f32 when asked for f16. */
const hostPrecisionNotes = (name: BackendName, options: StartOptions): string[] =>
  options.precision === 'f16'
    ? [`precision 'f16' applies to llmkit's WebGPU kernels; the ${name} backend computes in f32`]
    : [];

async function startCpu(options: StartOptions): Promise<StartedBackend> {
  await import('@tensorflow/tfjs-backend-cpu');
  const kernels = await activate('cpu', options);
  // The CPU backend prints a "use tfjs-node" banner on its first tensor; a library stays quiet.
  (tf.findBackend('cpu') as { firstUse?: boolean } | null)!.firstUse = false;
  return {
    device: `${cpuModel()} (JavaScript)`,
    threads: 1,
    precision: 'f32',
    features: [...kernels.features],
    notes: [
      'the cpu backend runs plain JavaScript on one thread',
      ...hostPrecisionNotes('cpu', options),
      ...kernels.notes,
    ],
  };
}

async function startWasm(options: StartOptions): Promise<StartedBackend> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  const notes: string[] = [];
  if (options.wasmPath !== undefined) wasm.setWasmPaths(options.wasmPath);
  const requested = options.threads ?? hardwareThreads();
  if (isNode && requested > 1) {
    // tfjs-backend-wasm's threaded build starts its workers from blob: URLs, which Node's
    // Worker rejects (ERR_WORKER_PATH), and tfjs disables it in Node (tfjs issue #3830).
    notes.push(
      `wasm runs on one thread in Node (${requested} requested): the threaded build needs blob: workers`,
    );
  } else if (requested >= 1) {
    wasm.setThreadsCount(requested);
  }
  // Emscripten's runtime installs process handlers that rethrow every uncaught exception and
  // unhandled rejection from inside its minified source (printing all of it); remove them so
  // errors in the caller's program look as they would without the backend.
  const before = processListeners();
  const kernels = await activate('wasm', options);
  removeAddedListeners(before);
  const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true;
  const threads = wasm.getThreadsCount();
  const features = [
    ...(simd ? ['simd'] : []),
    ...(threads > 1 ? ['threads'] : []),
    ...kernels.features,
  ];
  notes.push(...hostPrecisionNotes('wasm', options), ...kernels.notes);
  return {
    device: `${cpuModel()} (WebAssembly, XNNPACK)`,
    threads,
    precision: 'f32',
    features,
    notes,
  };
}

type ListenerEvent = 'uncaughtException' | 'unhandledRejection';
type Listeners = Record<ListenerEvent, readonly ((...args: unknown[]) => void)[]>;
interface HostProcessEvents {
  listeners(event: ListenerEvent): ((...args: unknown[]) => void)[];
  removeListener(event: ListenerEvent, listener: (...args: unknown[]) => void): void;
}
const events = (globalThis as { process?: Partial<HostProcessEvents> }).process;

function processListeners(): Listeners | undefined {
  if (typeof events?.listeners !== 'function') return undefined;
  return {
    uncaughtException: events.listeners('uncaughtException'),
    unhandledRejection: events.listeners('unhandledRejection'),
  };
}

function removeAddedListeners(before: Listeners | undefined): void {
  if (before === undefined || typeof events?.removeListener !== 'function') return;
  for (const event of ['uncaughtException', 'unhandledRejection'] as const) {
    for (const listener of events.listeners!(event)) {
      if (!before[event].includes(listener)) events.removeListener(event, listener);
    }
  }
}

/**
 * A CPU-emulated adapter (Mesa's lavapipe/llvmpipe, SwiftShader, WARP): exact enough to test WGSL,
 * but ~100× slower at matrix products than the wasm backend with onnxruntime (bench/gpu.ts).
 */
function isSoftwareAdapter(adapter: GpuAdapterLike): boolean {
  const info = adapter.info ?? {};
  const text = [info.vendor, info.architecture, info.device, info.description].join(' ');
  return (
    info.isFallbackAdapter === true || /llvmpipe|lavapipe|swiftshader|\bwarp\b|software/i.test(text)
  );
}
interface GpuLike {
  requestAdapter(options?: { powerPreference?: string }): Promise<GpuAdapterLike | null>;
}

/** Where `navigator.gpu` comes from: the browser, or Dawn through the `webgpu` package in Node. */
async function webGpu(): Promise<GpuLike> {
  const host = globalThis as { navigator?: { gpu?: GpuLike } };
  if (host.navigator?.gpu) return host.navigator.gpu;
  if (!isNode) throw new Error('this browser has no WebGPU (navigator.gpu is undefined)');
  let dawn: { create(flags: string[]): GpuLike; globals: Record<string, unknown> };
  try {
    dawn = (await import('webgpu')) as unknown as typeof dawn;
  } catch (error) {
    throw new Error(
      `WebGPU in Node needs the optional package "webgpu" (Dawn): npm install webgpu (${(error as Error).message})`,
    );
  }
  // tfjs's WebGPU backend reads navigator.gpu and the GPUBufferUsage/GPUMapMode constants.
  const gpu = dawn.create([]);
  for (const [key, value] of Object.entries(dawn.globals)) {
    if (!(key in globalThis)) (globalThis as Record<string, unknown>)[key] = value;
  }
  host.navigator ??= {};
  host.navigator.gpu = gpu;
  return gpu;
}

async function startWebGpu(options: StartOptions): Promise<StartedBackend> {
  const gpu = await webGpu();
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (adapter === null) throw new Error('no WebGPU adapter is available on this machine');
  if (options.hardwareOnly && isSoftwareAdapter(adapter)) {
    throw new Error(
      "the only WebGPU adapter is a software one (CPU-emulated), slower than the CPU backends; ask for backend: 'webgpu' to use it anyway",
    );
  }
  let module: WebGpuModule;
  try {
    module = (await import('@tensorflow/tfjs-backend-webgpu')) as unknown as WebGpuModule;
  } catch (error) {
    throw new Error(
      `WebGPU needs the optional package "@tensorflow/tfjs-backend-webgpu": npm install @tensorflow/tfjs-backend-webgpu (${(error as Error).message})`,
    );
  }
  registerWebGpuFactory(module, adapter);
  await use('webgpu');
  const unavailable =
    f16Unavailable(adapter) ||
    (options.precision === 'f16' && options.kernels === 'engine'
      ? "precision 'f16' needs kernels: 'fast'"
      : '');
  const precision: Precision = unavailable === '' ? options.precision : 'f32';
  const note =
    unavailable !== ''
      ? `f16 compute: off (${unavailable})`
      : precision === 'f16'
        ? 'f16 compute: on (the device has shader-f16)'
        : "f16 compute: available (the device has shader-f16), off until precision: 'f16'";
  const kernels = await activate('webgpu', options, precision);
  const info = adapter.info ?? {};
  const name = [info.vendor, info.architecture, info.device, info.description]
    .filter((part) => part !== undefined && part !== '')
    .join(' ');
  return {
    device: name === '' ? 'WebGPU adapter' : name,
    threads: 1,
    precision,
    features: [...[...adapter.features].sort(), ...kernels.features],
    notes: [note, ...kernels.notes],
  };
}

/** Starts one backend; throws an Error with the reason when it cannot run. */
export function startBackend(name: BackendName, options: StartOptions): Promise<StartedBackend> {
  switch (name) {
    case 'webgpu':
      return startWebGpu(options);
    case 'wasm':
      return startWasm(options);
    case 'cpu':
      return startCpu(options);
  }
}
