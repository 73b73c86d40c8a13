/**
 * BatchMatMul for the host backends (cpu, wasm): every matrix product of the engine, including
 * the transposed and batched ones that backpropagation and attention produce.
 *
 * Fast path: a synchronous call into ONNX Runtime (onnxruntime-node, when installed), whose MLAS
 * GEMM runs at the CPU's vector width for every transpose flag. One session per transpose
 * signature, each a single `com.microsoft.FusedMatMul` node (MatMul with `transA`/`transB` on
 * the last two axes and numpy batch broadcasting — the semantics of tfjs's BatchMatMul), is
 * built once and cached; inputs and the output are views of the backend's memory, so nothing is
 * copied on the way (ONNX Runtime writes into the preallocated output).
 *
 * Fallback (no ONNX Runtime, or int32 operands): the engine's own kernel. On wasm it is first
 * given the one shape XNNPACK accelerates — no transpose flags and a single right-hand matrix —
 * by transposing operands explicitly (one memory pass) and folding a's batch axes into its rows.
 * Batched products with a batched right-hand side stay on the engine's scalar loop there.
 *
 * The reference (`matMulReference`) is the definition: out[..., i, j] = Σₖ A[..., i, k] B[..., k, j]
 * after the optional transposes, batch axes broadcast.
 */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { OnnxRuntime, OrtNativeSession, OrtSessionOptions } from '../internal/onnxruntime.js';
import { encodeOnnxModel } from '../onnx/onnxModel.js';
import { hostIo } from './hostKernel.js';

/** Shape facts of one product, from tfjs's BatchMatMul semantics. */
export interface MatMulShape {
  readonly m: number;
  readonly k: number;
  readonly n: number;
  /** Broadcast batch shape of the output. */
  readonly batch: number[];
  readonly outShape: number[];
}

/** Output shape of BatchMatMul; throws when the operands do not fit. */
export function matMulShape(
  a: readonly number[],
  b: readonly number[],
  transposeA: boolean,
  transposeB: boolean,
): MatMulShape {
  const ra = a.length;
  const rb = b.length;
  const m = transposeA ? a[ra - 1]! : a[ra - 2]!;
  const k = transposeA ? a[ra - 2]! : a[ra - 1]!;
  const kb = transposeB ? b[rb - 1]! : b[rb - 2]!;
  const n = transposeB ? b[rb - 2]! : b[rb - 1]!;
  if (ra < 2 || rb < 2 || k !== kb) {
    throw new Error(
      `matMul: inner dimensions of [${a}] and [${b}] (transposeA=${transposeA}, transposeB=${transposeB}) must match`,
    );
  }
  const batchA = a.slice(0, -2);
  const batchB = b.slice(0, -2);
  const rank = Math.max(batchA.length, batchB.length);
  const batch: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = batchA[batchA.length - rank + i] ?? 1;
    const db = batchB[batchB.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new Error(`matMul: batch dimensions of [${a}] and [${b}] do not broadcast`);
    }
    batch.push(da === 1 ? db : da);
  }
  return { m, k, n, batch, outShape: [...batch, m, n] };
}

/**
 * Reference product on typed arrays in float64 accumulation (row-major operands with the given
 * shapes and flags); returns the output elements.
 */
export function matMulReference(
  a: ArrayLike<number>,
  aShape: readonly number[],
  b: ArrayLike<number>,
  bShape: readonly number[],
  transposeA: boolean,
  transposeB: boolean,
): Float64Array {
  const { m, k, n, batch } = matMulShape(aShape, bShape, transposeA, transposeB);
  const batchSize = batch.reduce((x, y) => x * y, 1);
  const out = new Float64Array(batchSize * m * n);
  const offset = (shape: readonly number[], index: number): number => {
    // Batch index of the output → the operand's batch offset, honouring broadcast axes.
    const own = shape.slice(0, -2);
    let rest = index;
    let flat = 0;
    let stride = 1;
    for (let axis = batch.length - 1; axis >= 0; axis--) {
      const coordinate = rest % batch[axis]!;
      rest = Math.floor(rest / batch[axis]!);
      const ownAxis = own.length - batch.length + axis;
      if (ownAxis < 0) continue;
      const size = own[ownAxis]!;
      flat += (size === 1 ? 0 : coordinate) * stride;
      stride *= size;
    }
    return flat * shape[shape.length - 1]! * shape[shape.length - 2]!;
  };
  for (let p = 0; p < batchSize; p++) {
    const oa = offset(aShape, p);
    const ob = offset(bShape, p);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let sum = 0;
        for (let q = 0; q < k; q++) {
          const av = a[oa + (transposeA ? q * m + i : i * k + q)]!;
          const bv = b[ob + (transposeB ? j * k + q : q * n + j)]!;
          sum += av * bv;
        }
        out[(p * m + i) * n + j] = sum;
      }
    }
  }
  return out;
}

interface BatchMatMulAttrs {
  transposeA: boolean;
  transposeB: boolean;
}

/** The ONNX model of one transpose signature: Y = FusedMatMul(A, B), shapes left dynamic. */
function fusedMatMulModel(transposeA: boolean, transposeB: boolean): Uint8Array {
  return encodeOnnxModel({
    graph: {
      name: `matmul_${transposeA ? 't' : 'n'}${transposeB ? 't' : 'n'}`,
      nodes: [
        {
          opType: 'FusedMatMul',
          domain: 'com.microsoft',
          inputs: ['A', 'B'],
          outputs: ['Y'],
          attributes: {
            alpha: { type: 'float', value: 1 },
            transA: { type: 'int', value: transposeA ? 1 : 0 },
            transB: { type: 'int', value: transposeB ? 1 : 0 },
          },
        },
      ],
      inputs: [
        { name: 'A', dataType: 'float32' },
        { name: 'B', dataType: 'float32' },
      ],
      outputs: [{ name: 'Y', dataType: 'float32' }],
    },
    opsetImports: [
      { domain: '', version: 17 },
      { domain: 'com.microsoft', version: 1 },
    ],
  });
}

/** Session options for kernel sessions: sequential, no idle spinning between eager calls. */
export function kernelSessionOptions(threads: number): OrtSessionOptions {
  return {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    logSeverityLevel: 3,
    // Spinning threads would burn the cores the JavaScript between kernels needs.
    extra: { session: { intra_op: { allow_spinning: '0' } } },
  };
}

/** Products through ONNX Runtime, one cached session per transpose signature. */
function onnxMatMul(ort: OnnxRuntime, threads: number): KernelFunc {
  const sessions = new Map<string, OrtNativeSession>();
  const session = (ta: boolean, tb: boolean): OrtNativeSession => {
    const key = `${ta}${tb}`;
    let s = sessions.get(key);
    if (s === undefined) {
      s = ort.session(fusedMatMulModel(ta, tb), kernelSessionOptions(threads));
      sessions.set(key, s);
    }
    return s;
  };
  return ({ inputs, backend, attrs }) => {
    const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
    const { transposeA, transposeB } = attrs as unknown as BatchMatMulAttrs;
    const { k, outShape } = matMulShape(a.shape, b.shape, transposeA, transposeB);
    const io = hostIo(backend);
    const out = io.allocate(outShape, 'float32');
    const y = io.view(out);
    if (y.length === 0) return out;
    if (k === 0) {
      y.fill(0);
      return out;
    }
    session(transposeA, transposeB).run(
      {
        A: ort.tensor('float32', io.view(a), a.shape),
        B: ort.tensor('float32', io.view(b), b.shape),
      },
      { Y: ort.tensor('float32', y, outShape) },
      {},
    );
    return out;
  };
}

/**
 * The engine's kernel, given XNNPACK's fast shape on wasm (see the file header); called unchanged
 * when `reshape` is undefined (cpu) or for int32 operands.
 */
function engineMatMul(
  engine: KernelConfig,
  transpose: KernelConfig,
  reshape: KernelConfig | undefined,
): KernelFunc {
  return (args) => {
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    const { transposeA, transposeB } = args.attrs as unknown as BatchMatMulAttrs;
    if (reshape === undefined || a.dtype !== 'float32' || b.dtype !== 'float32') {
      return engine.kernelFunc(args);
    }
    const backend = args.backend as unknown as { disposeData(dataId: object): void };
    const temporaries: TensorInfo[] = [];
    const run = (config: KernelConfig, inputs: object, attrs: object): TensorInfo => {
      const out = config.kernelFunc({
        inputs,
        backend: args.backend,
        attrs,
      } as never) as TensorInfo;
      temporaries.push(out);
      return out;
    };
    const swapLastAxes = (x: TensorInfo): TensorInfo => {
      const perm = x.shape.map((_, i) => i);
      perm.push(...perm.splice(-2).reverse());
      return run(transpose, { x }, { perm });
    };
    const { k, n, outShape } = matMulShape(a.shape, b.shape, transposeA, transposeB);
    let left = transposeA ? swapLastAxes(a) : a;
    let right = transposeB ? swapLastAxes(b) : b;
    if (b.shape.slice(0, -2).every((d) => d === 1)) {
      // One right-hand matrix: a's batch axes are just more rows.
      left = run(reshape, { x: left }, { shape: [-1, k] });
      right = run(reshape, { x: right }, { shape: [k, n] });
    }
    const product = run(engine, { a: left, b: right }, { transposeA: false, transposeB: false });
    const out = reshape.kernelFunc({
      inputs: { x: product },
      backend: args.backend,
      attrs: { shape: outShape },
    } as never) as TensorInfo;
    for (const t of temporaries) backend.disposeData(t.dataId);
    return out;
  };
}

/** Where the matmul kernel comes from for a host backend. */
export interface BatchMatMulSources {
  /** The engine's own BatchMatMul, Transpose and Reshape kernels for this backend. */
  readonly engine: KernelConfig;
  readonly transpose: KernelConfig;
  readonly reshape: KernelConfig;
  /** ONNX Runtime, when it loaded. */
  readonly ort: OnnxRuntime | undefined;
  /** Intra-op threads for ONNX Runtime sessions. */
  readonly threads: number;
}

/** The llmkit BatchMatMul kernel for `backendName` (cpu or wasm). */
export function batchMatMulKernel(backendName: string, sources: BatchMatMulSources): KernelConfig {
  const fallback =
    backendName === 'wasm'
      ? engineMatMul(sources.engine, sources.transpose, sources.reshape)
      : engineMatMul(sources.engine, sources.transpose, undefined);
  if (sources.ort === undefined)
    return { kernelName: 'BatchMatMul', backendName, kernelFunc: fallback };
  const fast = onnxMatMul(sources.ort, sources.threads);
  return {
    kernelName: 'BatchMatMul',
    backendName,
    kernelFunc: (args) => {
      const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
      return a.dtype === 'float32' && b.dtype === 'float32' ? fast(args) : fallback(args);
    },
  };
}
