/**
 * Running an ONNX model in onnxruntime-node (an optional peer dependency), synchronously.
 *
 * `OnnxSession.create` loads a model (bytes, an `OnnxModel`, or a file path) with explicit
 * threading; `run` checks the feeds against the model's inputs (names, element types, static
 * dimensions) and returns plain arrays. Outputs may be preallocated (`options.outputs`): ONNX
 * Runtime then writes into those arrays, which is its IO binding on CPU (onnxruntime-node still
 * returns a copy of every fetched output, which is dropped here). `bind` checks and wraps feeds
 * and outputs once for a loop that changes only their contents.
 *
 * Not here: GPU execution providers (onnxruntime-node's CUDA build is a separate download this
 * package never triggers) and asynchronous runs (wrap `run` in a worker for that).
 */
import { TensorError } from '../errors.js';
import { loadOnnxRuntime, type OrtNativeSession, type OrtTensor } from '../internal/onnxruntime.js';
import {
  encodeOnnxModel,
  type OnnxDataType,
  type OnnxModel,
  onnxDataTypeCode,
} from './onnxModel.js';

/** Element arrays ONNX Runtime reads and writes, by data type. @public */
export type OnnxTypedArray =
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array;

/** A tensor as plain data: row-major elements of `dataType` with dimensions `dims`. @public */
export interface OnnxArray {
  readonly dataType: OnnxDataType;
  readonly dims: readonly number[];
  readonly data: OnnxTypedArray;
}

/**
 * An input or output of a loaded model; symbolic dimensions are names, unknown ones null, and the
 * shape is empty when the model leaves the rank open (as for a scalar). @public
 */
export interface OnnxValueMetadata {
  readonly name: string;
  readonly dataType: OnnxDataType | 'unsupported';
  readonly shape: readonly (number | string | null)[];
}

/** Options of {@link OnnxSession.create}. @public */
export interface OnnxSessionOptions {
  /** Threads one operator may use (ONNX Runtime's intra-op pool). @defaultValue 1 */
  readonly threads?: number;
  /** Threads for running independent operators at once (`executionMode: 'parallel'`). @defaultValue 1 */
  readonly interOpThreads?: number;
  /** @defaultValue `'sequential'` */
  readonly executionMode?: 'sequential' | 'parallel';
  /** Graph rewrites before running (fusions, constant folding). @defaultValue `'all'` */
  readonly graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
  /**
   * Whether idle intra-op threads spin waiting for work: faster back-to-back runs, at the price
   * of burning cores between them. @defaultValue false
   */
  readonly spinning?: boolean;
}

/**
 * Feeds and outputs bound once by {@link OnnxSession.bind}: each `run()` reads the bound input
 * arrays' current contents and writes the bound output arrays in place. @public
 */
export interface OnnxBoundRun {
  /** Runs the model once on the bound arrays. */
  run(): void;
}

/** Options of {@link OnnxSession.run}. @public */
export interface OnnxRunOptions {
  /** Preallocated outputs by name, written in place (their dims must be the outputs' dims). */
  readonly outputs?: Readonly<Record<string, OnnxArray>>;
}

const TYPES_BY_CODE = new Map<number, OnnxDataType>(
  (
    [
      'float32',
      'uint8',
      'int8',
      'uint16',
      'int16',
      'int32',
      'int64',
      'bool',
      'float16',
      'float64',
      'uint32',
      'uint64',
    ] as const
  ).map((t) => [onnxDataTypeCode(t), t]),
);

/** The typed array each data type is held in. */
const ARRAY_OF: Readonly<Record<string, string>> = {
  float32: 'Float32Array',
  float64: 'Float64Array',
  int8: 'Int8Array',
  uint8: 'Uint8Array',
  bool: 'Uint8Array',
  int16: 'Int16Array',
  uint16: 'Uint16Array',
  float16: 'Uint16Array',
  int32: 'Int32Array',
  uint32: 'Uint32Array',
  int64: 'BigInt64Array',
  uint64: 'BigUint64Array',
};

function fail(
  code: 'INVALID_ARGUMENT' | 'SHAPE_MISMATCH' | 'DTYPE_MISMATCH' | 'CORRUPT_DATA' | 'UNAVAILABLE',
  fn: string,
  argument: string,
  detail: string,
): never {
  throw new TensorError({ code, fn, argument, detail });
}

/**
 * A loaded ONNX model.
 *
 * @example
 * ```ts
 * import { encodeOnnxModel, OnnxSession } from '@llmkit/tensor-gpu/onnx';
 * const session = OnnxSession.create(modelBytes, { threads: 4 });
 * const { logits } = session.run({ input_ids: { dataType: 'int64', dims: [1, 8], data: ids } });
 * session.dispose();
 * ```
 * @public
 */
export class OnnxSession {
  /** The model's inputs, in order. */
  readonly inputs: readonly OnnxValueMetadata[];
  /** The model's outputs, in order. */
  readonly outputs: readonly OnnxValueMetadata[];
  private native: OrtNativeSession | undefined;
  private readonly ort: Exclude<ReturnType<typeof loadOnnxRuntime>, Error>;

  private constructor(
    ort: Exclude<ReturnType<typeof loadOnnxRuntime>, Error>,
    native: OrtNativeSession,
  ) {
    this.ort = ort;
    this.native = native;
    const describe = (m: OrtNativeSession['inputMetadata'][number]): OnnxValueMetadata => ({
      name: m.name,
      dataType: TYPES_BY_CODE.get(m.type) ?? 'unsupported',
      shape: m.shape.map((d, i) => (d >= 0 ? d : m.symbolicDimensions[i] || null)),
    });
    this.inputs = native.inputMetadata.map(describe);
    this.outputs = native.outputMetadata.map(describe);
  }

  /**
   * Loads a model synchronously: its bytes, an {@link OnnxModel} (encoded first), or a file path.
   * @throws TensorError `UNAVAILABLE` without onnxruntime-node; `CORRUPT_DATA` when ONNX Runtime
   *   cannot parse or load the model (truncated or damaged bytes, unknown operators), with its reason.
   */
  static create(
    model: Uint8Array | OnnxModel | string,
    options: OnnxSessionOptions = {},
  ): OnnxSession {
    const fn = 'OnnxSession.create';
    const ort = loadOnnxRuntime();
    if (ort instanceof Error) fail('UNAVAILABLE', fn, 'model', `${ort.message}.`);
    const bytes =
      typeof model === 'string' || model instanceof Uint8Array ? model : encodeOnnxModel(model);
    const sessionOptions = {
      intraOpNumThreads: options.threads ?? 1,
      interOpNumThreads: options.interOpThreads ?? 1,
      executionMode: options.executionMode ?? 'sequential',
      graphOptimizationLevel: options.graphOptimizationLevel ?? 'all',
      logSeverityLevel: 3 as const,
      extra: { session: { intra_op: { allow_spinning: options.spinning === true ? '1' : '0' } } },
    };
    try {
      return new OnnxSession(ort, ort.session(bytes, sessionOptions));
    } catch (error) {
      return fail(
        'CORRUPT_DATA',
        fn,
        'model',
        `onnxruntime-node ${ort.version} could not load the model: ${(error as Error).message}`,
      );
    }
  }

  /**
   * Runs the model on `feeds` (every input by name) and returns every output by name.
   * @throws TensorError `INVALID_ARGUMENT` for a missing or unknown feed, `DTYPE_MISMATCH` or
   *   `SHAPE_MISMATCH` for a feed or preallocated output that does not fit, `INVALID_ARGUMENT`
   *   after `dispose`, and ONNX Runtime's own errors (e.g. incompatible dynamic shapes) with its reason.
   */
  run(
    feeds: Readonly<Record<string, OnnxArray>>,
    options: OnnxRunOptions = {},
  ): Record<string, OnnxArray> {
    const fn = 'OnnxSession.run';
    const native = this.native ?? fail('INVALID_ARGUMENT', fn, 'this', 'the session was disposed.');
    const ortFeeds = this.feedTensors(fn, feeds);
    const fetches: Record<string, OrtTensor | null> = {};
    for (const output of this.outputs) {
      const preallocated = options.outputs?.[output.name];
      fetches[output.name] =
        preallocated === undefined
          ? null
          : this.tensor(fn, `options.outputs.${output.name}`, preallocated, output);
    }
    let results: Record<string, OrtTensor>;
    try {
      results = native.run(ortFeeds, fetches, {});
    } catch (error) {
      return fail(
        'INVALID_ARGUMENT',
        fn,
        'feeds',
        `onnxruntime-node rejected the run: ${(error as Error).message}`,
      );
    }
    const out: Record<string, OnnxArray> = {};
    for (const output of this.outputs) {
      const preallocated = options.outputs?.[output.name];
      const result = results[output.name]!;
      out[output.name] = preallocated ?? {
        dataType: output.dataType as OnnxDataType,
        dims: [...result.dims],
        data: result.data as OnnxTypedArray,
      };
    }
    return out;
  }

  /**
   * Binds `feeds` and preallocated `outputs` for a loop that changes only their contents (token
   * ids, positions, a cache written in place): they are checked and wrapped here once, and each
   * `run()` of the result goes straight to ONNX Runtime. Outputs left out are not fetched, so
   * ONNX Runtime neither copies nor returns them. An input array may also be bound as an output
   * (a kernel that updates a state in place, such as a KV cache).
   * @throws TensorError as {@link OnnxSession.run} does, for the feeds and outputs given here.
   */
  bind(
    feeds: Readonly<Record<string, OnnxArray>>,
    outputs: Readonly<Record<string, OnnxArray>>,
  ): OnnxBoundRun {
    const fn = 'OnnxSession.bind';
    const native = this.native ?? fail('INVALID_ARGUMENT', fn, 'this', 'the session was disposed.');
    const ortFeeds = this.feedTensors(fn, feeds);
    const fetches: Record<string, OrtTensor> = {};
    for (const [name, array] of Object.entries(outputs)) {
      const meta =
        this.outputs.find((o) => o.name === name) ??
        fail(
          'INVALID_ARGUMENT',
          fn,
          `outputs.${name}`,
          `the model has no output ${JSON.stringify(name)}; its outputs are ${this.outputs.map((o) => o.name).join(', ')}.`,
        );
      fetches[name] = this.tensor(fn, `outputs.${name}`, array, meta);
    }
    return {
      run: () => {
        if (this.native !== native)
          fail('INVALID_ARGUMENT', 'OnnxBoundRun.run', 'this', 'the session was disposed.');
        try {
          native.run(ortFeeds, fetches, {});
        } catch (error) {
          fail(
            'INVALID_ARGUMENT',
            'OnnxBoundRun.run',
            'feeds',
            `onnxruntime-node rejected the run: ${(error as Error).message}`,
          );
        }
      },
    };
  }

  /** Frees the native session; further runs throw. */
  dispose(): void {
    this.native?.dispose();
    this.native = undefined;
  }

  /** Every input checked and wrapped; unknown and missing feeds refused. */
  private feedTensors(
    fn: string,
    feeds: Readonly<Record<string, OnnxArray>>,
  ): Record<string, OrtTensor> {
    for (const name of Object.keys(feeds)) {
      if (!this.inputs.some((i) => i.name === name)) {
        fail(
          'INVALID_ARGUMENT',
          fn,
          `feeds.${name}`,
          `the model has no input ${JSON.stringify(name)}; its inputs are ${this.inputs.map((i) => i.name).join(', ')}.`,
        );
      }
    }
    const ortFeeds: Record<string, OrtTensor> = {};
    for (const input of this.inputs) {
      const feed =
        feeds[input.name] ??
        fail('INVALID_ARGUMENT', fn, 'feeds', `missing input ${JSON.stringify(input.name)}.`);
      ortFeeds[input.name] = this.tensor(fn, `feeds.${input.name}`, feed, input);
    }
    return ortFeeds;
  }

  private tensor(
    fn: string,
    argument: string,
    array: OnnxArray,
    meta: OnnxValueMetadata,
  ): OrtTensor {
    if (array.dataType !== meta.dataType) {
      fail(
        'DTYPE_MISMATCH',
        fn,
        argument,
        `expected ${meta.dataType}, received ${array.dataType}.`,
      );
    }
    if (array.data.constructor.name !== ARRAY_OF[array.dataType]) {
      fail(
        'DTYPE_MISMATCH',
        fn,
        argument,
        `${array.dataType} data must be a ${ARRAY_OF[array.dataType]}, received a ${array.data.constructor.name}.`,
      );
    }
    const size = array.dims.reduce((a, b) => a * b, 1);
    if (array.data.length !== size) {
      fail(
        'SHAPE_MISMATCH',
        fn,
        argument,
        `dims [${array.dims.join(', ')}] hold ${size} elements, but data has ${array.data.length}.`,
      );
    }
    // ONNX Runtime reports [] for inputs of unknown rank as for scalars; it checks those itself.
    const fits =
      meta.shape.length === 0 ||
      (array.dims.length === meta.shape.length &&
        meta.shape.every((d, i) => typeof d !== 'number' || d === array.dims[i]));
    if (!fits) {
      fail(
        'SHAPE_MISMATCH',
        fn,
        argument,
        `the model expects shape [${meta.shape.map((d) => d ?? '?').join(', ')}], received [${array.dims.join(', ')}].`,
      );
    }
    return this.ort.tensor(array.dataType, array.data, array.dims);
  }
}
