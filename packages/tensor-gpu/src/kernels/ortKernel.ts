/**
 * Kernels that run a small ONNX graph in ONNX Runtime, for the host backends (cpu, wasm) in Node.
 *
 * A fused elementwise chain — GELU's backward, a masked softmax — is a handful of ONNX nodes that
 * ONNX Runtime executes with its vectorised CPU kernels (AVX2/AVX-512 exp and erf) in one
 * synchronous call; tfjs's wasm backend computes the same transcendentals one element at a time.
 * Inputs and outputs are views of the backend's memory (see `hostKernel.ts`): the graph reads the
 * tensors where they lie and writes into the preallocated outputs. Each distinct graph (its key:
 * the kernel name plus whatever attributes are baked into it) becomes one cached session.
 */
import type { DataType, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { OnnxRuntime, OrtNativeSession } from '../internal/onnxruntime.js';
import { encodeOnnxModel, type OnnxGraph } from '../onnx/onnxModel.js';
import { kernelSessionOptions } from './batchMatMul.js';
import { type HostArray, hostIo } from './hostKernel.js';

/** One graph input or output: a tensor, viewed with the dims the graph expects. */
export interface OrtBinding {
  readonly info: TensorInfo;
  readonly dims: readonly number[];
}

/** What an ONNX Runtime kernel declares. */
export interface OrtKernelSpec<A> {
  readonly kernelName: string;
  /** tfjs input names, in the order `bind` receives them. */
  readonly inputs: readonly string[];
  /** Output shapes and types (allocated by the kernel before the run). */
  outputs(inputs: readonly TensorInfo[], attrs: A): { shape: number[]; dtype: DataType }[];
  /**
   * The graph for these inputs and attributes, and its cache key; graph input and output names
   * are those `bind` uses.
   */
  graph(inputs: readonly TensorInfo[], attrs: A): { key: string; graph: OnnxGraph };
  /**
   * When given and true for a call, the engine's own kernel of the same name computes it (cases
   * the graph does not cover); such kernels need the engine's kernel.
   */
  delegate?(inputs: readonly TensorInfo[], attrs: A): boolean;
  /** Validates input values before the run (throwing a `TensorError`), where the graph would not. */
  check?(inputs: readonly HostArray[], attrs: A): void;
  /**
   * When given, the graph runs on blocks of this many rows rather than once: every binding's
   * first dimension counts the same rows, and each run sees views of one block. Graphs whose
   * intermediates are as large as their input (a log-softmax) then keep those small enough to
   * stay in cache, and ONNX Runtime's arena never holds a copy the size of the input.
   */
  rowBlock?(inputs: readonly TensorInfo[], attrs: A): number;
  /** Runs after the graph, on host views, for the few elements a graph cannot write. */
  finish?(inputs: readonly HostArray[], outputs: readonly HostArray[], attrs: A): void;
  /** Graph inputs and outputs by name, each a tensor and the dims to present it with. */
  bind(
    inputs: readonly TensorInfo[],
    outputs: readonly TensorInfo[],
    attrs: A,
  ): { feeds: Record<string, OrtBinding>; fetches: Record<string, OrtBinding> };
}

/** Makes an ONNX Runtime kernel's config for cpu or wasm. */
export interface OrtKernelFactory {
  readonly kernelName: string;
  create(
    backendName: string,
    ort: OnnxRuntime,
    threads: number,
    engine: KernelConfig | undefined,
  ): KernelConfig;
}

const ORT_TYPES: Readonly<Record<string, string>> = {
  float32: 'float32',
  int32: 'int32',
  bool: 'bool',
};

/** An ONNX Runtime kernel for the cpu and wasm backends. */
export function ortKernel<A>(spec: OrtKernelSpec<A>): OrtKernelFactory {
  return {
    kernelName: spec.kernelName,
    create(backendName, ort, threads, engine) {
      const sessions = new Map<string, OrtNativeSession>();
      const kernelFunc: KernelFunc = ({ inputs, backend, attrs }) => {
        const infos = spec.inputs.map((name) => inputs[name] as TensorInfo);
        const typed = attrs as unknown as A;
        const io = hostIo(backend);
        spec.check?.(
          infos.map((info) => io.view(info)),
          typed,
        );
        const outputs = spec.outputs(infos, typed).map((o) => io.allocate(o.shape, o.dtype));
        if (outputs.every((o) => o.shape.includes(0)))
          return outputs.length === 1 ? outputs[0]! : outputs;
        const { key, graph } = spec.graph(infos, typed);
        let session = sessions.get(key);
        if (session === undefined) {
          session = ort.session(
            encodeOnnxModel({
              graph,
              opsetImports: [
                { domain: '', version: 17 },
                { domain: 'com.microsoft', version: 1 },
              ],
            }),
            kernelSessionOptions(threads),
          );
          sessions.set(key, session);
        }
        const { feeds, fetches } = spec.bind(infos, outputs, typed);
        // One run over whole tensors, or one per block of rows (see `rowBlock`).
        const rows = spec.rowBlock === undefined ? 1 : Object.values(feeds)[0]!.dims[0]!;
        const block = spec.rowBlock?.(infos, typed) ?? 1;
        for (let start = 0; start < rows; start += block) {
          const count = Math.min(block, rows - start);
          const tensor = ({ info, dims }: OrtBinding) => {
            const view = io.view(info) as HostArray;
            if (spec.rowBlock === undefined) return ort.tensor(ORT_TYPES[info.dtype]!, view, dims);
            const perRow = dims.slice(1).reduce((a, b) => a * b, 1);
            const part = view.subarray(start * perRow, (start + count) * perRow);
            return ort.tensor(ORT_TYPES[info.dtype]!, part, [count, ...dims.slice(1)]);
          };
          session.run(
            Object.fromEntries(Object.entries(feeds).map(([name, b]) => [name, tensor(b)])),
            Object.fromEntries(Object.entries(fetches).map(([name, b]) => [name, tensor(b)])),
            {},
          );
        }
        spec.finish?.(
          infos.map((info) => io.view(info)),
          outputs.map((info) => io.view(info)),
          typed,
        );
        return outputs.length === 1 ? outputs[0]! : outputs;
      };
      const delegate = spec.delegate;
      if (delegate === undefined) return { kernelName: spec.kernelName, backendName, kernelFunc };
      if (engine === undefined) {
        throw new Error(`${spec.kernelName} needs the engine's own ${backendName} kernel`);
      }
      return {
        kernelName: spec.kernelName,
        backendName,
        kernelFunc: (args) => {
          const infos = spec.inputs.map((name) => args.inputs[name] as TensorInfo);
          return delegate(infos, args.attrs as unknown as A)
            ? engine.kernelFunc(args)
            : kernelFunc(args);
        },
      };
    },
  };
}
