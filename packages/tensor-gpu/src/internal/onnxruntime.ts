/**
 * Loading onnxruntime-node (an optional peer dependency) synchronously, on first use only.
 *
 * Tensor kernels run synchronously, so they need ONNX Runtime's synchronous entry: the native
 * binding's `InferenceSession` (`loadModel`, `run`), which the package's public async API wraps in
 * `setImmediate`. It is reached through `onnxruntime-node/dist/binding.js`; a future release that
 * moves it makes `loadOnnxRuntime` report the reason instead of failing later.
 */
import { isNode } from './host.js';

/** An ONNX Runtime tensor as the binding reads and writes it. */
export interface OrtTensor {
  readonly type: string;
  readonly dims: readonly number[];
  readonly data: ArrayBufferView;
}

/** Session options as onnxruntime-common defines them (the subset used here). */
export interface OrtSessionOptions {
  intraOpNumThreads?: number;
  interOpNumThreads?: number;
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
  executionMode?: 'sequential' | 'parallel';
  enableCpuMemArena?: boolean;
  enableMemPattern?: boolean;
  logSeverityLevel?: 0 | 1 | 2 | 3 | 4;
  extra?: Record<string, unknown>;
}

export interface OrtValueMetadata {
  readonly name: string;
  readonly isTensor: boolean;
  readonly symbolicDimensions: readonly string[];
  readonly shape: readonly number[];
  readonly type: number;
}

/** The native, synchronous session. */
export interface OrtNativeSession {
  loadModel(buffer: ArrayBuffer, byteOffset: number, byteLength: number, options: object): void;
  loadModel(path: string, options: object): void;
  readonly inputMetadata: readonly OrtValueMetadata[];
  readonly outputMetadata: readonly OrtValueMetadata[];
  run(
    feeds: Record<string, OrtTensor>,
    fetches: Record<string, OrtTensor | null>,
    options: object,
  ): Record<string, OrtTensor>;
  dispose(): void;
}

export interface OnnxRuntime {
  /** The installed onnxruntime-node version. */
  readonly version: string;
  /** Makes a tensor over `data` without copying it. */
  tensor(type: string, data: ArrayBufferView, dims: readonly number[]): OrtTensor;
  /** Loads a model (its bytes, or a file path) synchronously. */
  session(model: Uint8Array | string, options: OrtSessionOptions): OrtNativeSession;
}

interface NodeModule {
  createRequire(from: string): (id: string) => unknown;
}

let loaded: OnnxRuntime | Error | undefined;
let ignored = false;

/**
 * onnxruntime-node, loaded once; an `Error` whose message says why it cannot be used (not
 * installed, not Node, no synchronous binding, or ignored on purpose).
 */
export function loadOnnxRuntime(): OnnxRuntime | Error {
  if (ignored) return new Error('onnxruntime-node is ignored (ignoreOnnxRuntime)');
  loaded ??= tryLoad();
  return loaded;
}

/**
 * Makes `loadOnnxRuntime` report ONNX Runtime as absent (or present again), so tests can run the
 * kernels a machine without onnxruntime-node gets; takes effect at the next `initCompute`.
 */
export function ignoreOnnxRuntime(ignore: boolean): void {
  ignored = ignore;
}

function tryLoad(): OnnxRuntime | Error {
  if (!isNode) return new Error('onnxruntime-node runs only in Node');
  const nodeModule = (
    globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }
  ).process?.getBuiltinModule?.('node:module') as NodeModule | undefined;
  if (nodeModule === undefined) return new Error('this Node has no process.getBuiltinModule');
  const require = nodeModule.createRequire(import.meta.url);
  let ort: {
    Tensor: new (type: string, data: ArrayBufferView, dims: readonly number[]) => OrtTensor;
  };
  let native: {
    binding: { InferenceSession: new () => OrtNativeSession };
    initOrt: () => void;
  };
  let version: string;
  try {
    ort = require('onnxruntime-node') as typeof ort;
    native = require('onnxruntime-node/dist/binding.js') as typeof native;
    version = (require('onnxruntime-node/package.json') as { version: string }).version;
  } catch (error) {
    return new Error(
      `onnxruntime-node is not installed (npm install onnxruntime-node): ${(error as Error).message}`,
    );
  }
  const Session = native.binding?.InferenceSession;
  if (typeof native.initOrt !== 'function' || typeof Session !== 'function') {
    return new Error(
      `onnxruntime-node ${version} has no synchronous session binding (dist/binding.js); use onnxruntime-node ^1.30`,
    );
  }
  native.initOrt();
  return {
    version,
    tensor: (type, data, dims) => new ort.Tensor(type, data, dims),
    session(model, options) {
      const session = new Session();
      if (typeof model === 'string') session.loadModel(model, options);
      else
        session.loadModel(model.buffer as ArrayBuffer, model.byteOffset, model.byteLength, options);
      return session;
    },
  };
}
