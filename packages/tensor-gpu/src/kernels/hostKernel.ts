/**
 * Kernels that compute on the host in JavaScript, for the two backends whose tensors live in host
 * memory: cpu (JavaScript typed arrays) and wasm (the WebAssembly heap). A kernel reads its inputs
 * and writes its outputs through typed-array views of that memory, so no tensor is copied on the
 * way in or out.
 *
 * On wasm, allocating may grow the heap and detach earlier views; `hostKernel` therefore
 * allocates every output first and only then makes views, and the compute function must not call
 * back into the engine.
 */
import type { DataType, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';

/** The element arrays a host kernel sees. */
export type HostArray = Float32Array | Int32Array | Uint8Array;

/** Shape and type of one output. */
export interface HostOutput {
  readonly shape: number[];
  readonly dtype: DataType;
}

/** Access to a host-memory backend's tensors. */
export interface HostIo {
  /** Allocates an uninitialised output tensor. */
  allocate(shape: number[], dtype: DataType): TensorInfo;
  /** A view (not a copy) of a tensor's elements. */
  view(info: TensorInfo): HostArray;
  /** Frees a tensor made by `allocate` that is not returned. */
  free(info: TensorInfo): void;
}

interface WasmBackendLike {
  makeOutput(shape: number[], dtype: DataType): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): HostArray;
  disposeData(dataId: object): boolean;
}

interface CpuBackendLike {
  data: { get(dataId: object): { values: HostArray } };
  makeTensorInfo(shape: number[], dtype: DataType, values: HostArray): TensorInfo;
  disposeData(dataId: object): boolean;
}

function newArray(dtype: DataType, size: number): HostArray {
  if (dtype === 'int32') return new Int32Array(size);
  if (dtype === 'bool') return new Uint8Array(size);
  return new Float32Array(size);
}

/** The host view of a cpu or wasm backend; throws for any other backend. */
export function hostIo(backend: object): HostIo {
  if ('typedArrayFromHeap' in backend) {
    const wasm = backend as WasmBackendLike;
    return {
      allocate: (shape, dtype) => wasm.makeOutput(shape, dtype),
      view: (info) => wasm.typedArrayFromHeap(info),
      free: (info) => void wasm.disposeData(info.dataId),
    };
  }
  if ('makeTensorInfo' in backend && 'data' in backend) {
    const cpu = backend as CpuBackendLike;
    return {
      allocate: (shape, dtype) =>
        cpu.makeTensorInfo(
          shape,
          dtype,
          newArray(
            dtype,
            shape.reduce((a, b) => a * b, 1),
          ),
        ),
      view: (info) => cpu.data.get(info.dataId).values,
      free: (info) => void cpu.disposeData(info.dataId),
    };
  }
  throw new Error('host kernels run only on the cpu and wasm backends');
}

/** What a host kernel declares: its inputs by name, its outputs, and the computation. */
export interface HostKernelSpec<A> {
  readonly kernelName: string;
  /** Input names in the order `compute` receives them. */
  readonly inputs: readonly string[];
  /** Shapes and types of the outputs, from the input tensors and attributes. */
  outputs(inputs: readonly TensorInfo[], attrs: A): HostOutput[];
  /** Fills every element of every output (outputs start uninitialised on wasm). */
  compute(inputs: HostArray[], outputs: HostArray[], attrs: A, infos: readonly TensorInfo[]): void;
  /**
   * When given and true for a call, the engine's own kernel of the same name computes it (cases
   * this kernel does not cover); such kernels replace an engine kernel and need it present.
   */
  delegate?(inputs: readonly TensorInfo[], attrs: A): boolean;
}

/** Makes a host kernel's config for cpu or wasm, given the engine's kernel it may replace. */
export interface HostKernelFactory {
  readonly kernelName: string;
  create(backendName: string, engine: KernelConfig | undefined): KernelConfig;
}

/** A host kernel for the cpu and wasm backends. */
export function hostKernel<A>(spec: HostKernelSpec<A>): HostKernelFactory {
  const compute: KernelFunc = ({ inputs, backend, attrs }) => {
    const infos = spec.inputs.map((name) => inputs[name] as TensorInfo);
    const typedAttrs = attrs as unknown as A;
    const io = hostIo(backend);
    const outputs = spec.outputs(infos, typedAttrs).map((o) => io.allocate(o.shape, o.dtype));
    spec.compute(
      infos.map((info) => io.view(info)),
      outputs.map((info) => io.view(info)),
      typedAttrs,
      infos,
    );
    return outputs.length === 1 ? outputs[0]! : outputs;
  };
  return {
    kernelName: spec.kernelName,
    create(backendName, engine) {
      const delegate = spec.delegate;
      if (delegate === undefined)
        return { kernelName: spec.kernelName, backendName, kernelFunc: compute };
      if (engine === undefined) {
        throw new Error(`${spec.kernelName} needs the engine's own ${backendName} kernel`);
      }
      const kernelFunc: KernelFunc = (args) => {
        const infos = spec.inputs.map((name) => args.inputs[name] as TensorInfo);
        return delegate(infos, args.attrs as unknown as A)
          ? engine.kernelFunc(args)
          : compute(args);
      };
      return { kernelName: spec.kernelName, backendName, kernelFunc };
    },
  };
}
