/**
 * An ONNX model as plain data, and its encoding to the bytes of an `.onnx` file.
 *
 * The encoder writes the fields of `onnx.proto` (proto2, https://github.com/onnx/onnx/blob/main/onnx/onnx.proto)
 * that a computation graph needs, in field-number order and with proto2's rules (repeated scalars
 * unpacked unless the schema says `packed = true`), so the output is byte-identical to what the
 * reference `onnx` Python package serialises for the same graph (checked by a golden test). Field
 * numbers are written beside each field below.
 *
 * Left out: sparse tensors, external data, training info, functions and metadata other than
 * `metadata_props` — a graph that needs them is better built with the `onnx` Python package.
 */
import { TensorError } from '../errors.js';
import { ProtoWriter } from './protobuf.js';

/** Element types an ONNX tensor may have here, by their tfjs-like names. @public */
export type OnnxDataType =
  | 'float32'
  | 'uint8'
  | 'int8'
  | 'uint16'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'bool'
  | 'float16'
  | 'float64'
  | 'uint32'
  | 'uint64'
  | 'bfloat16';

/** `TensorProto.DataType` codes (onnx.proto). */
const DATA_TYPE_CODES: Readonly<Record<OnnxDataType, number>> = {
  float32: 1,
  uint8: 2,
  int8: 3,
  uint16: 4,
  int16: 5,
  int32: 6,
  int64: 7,
  bool: 9,
  float16: 10,
  float64: 11,
  uint32: 12,
  uint64: 13,
  bfloat16: 16,
};

/** Bytes per element of each type, for checking `raw` lengths. */
const BYTES_PER_ELEMENT: Readonly<Record<OnnxDataType, number>> = {
  float32: 4,
  uint8: 1,
  int8: 1,
  uint16: 2,
  int16: 2,
  int32: 4,
  int64: 8,
  bool: 1,
  float16: 2,
  float64: 8,
  uint32: 4,
  uint64: 8,
  bfloat16: 2,
};

/** The ONNX code of a data type (`TensorProto.DataType`). @public */
export function onnxDataTypeCode(dataType: OnnxDataType): number {
  const code = DATA_TYPE_CODES[dataType];
  if (code === undefined) {
    throw new TensorError({
      code: 'INVALID_ARGUMENT',
      fn: 'onnxDataTypeCode',
      argument: 'dataType',
      detail: `unknown ONNX data type ${JSON.stringify(dataType)}; expected one of ${Object.keys(DATA_TYPE_CODES).join(', ')}.`,
    });
  }
  return code;
}

/**
 * A constant tensor (initializer or attribute value). `data` holds the elements in row-major
 * order as little-endian bytes or as a typed array of the matching type (Float32Array for
 * float32, Int32Array for int32, BigInt64Array for int64, Uint16Array for float16/bfloat16 bits, …).
 * @public
 */
export interface OnnxTensor {
  readonly name: string;
  readonly dataType: OnnxDataType;
  readonly dims: readonly number[];
  readonly data: ArrayBufferView;
}

/** One attribute of a node, tagged with its ONNX type. @public */
export type OnnxAttribute =
  | { readonly type: 'float'; readonly value: number }
  | { readonly type: 'int'; readonly value: number | bigint }
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'tensor'; readonly value: OnnxTensor }
  | { readonly type: 'graph'; readonly value: OnnxGraph }
  | { readonly type: 'floats'; readonly value: readonly number[] }
  | { readonly type: 'ints'; readonly value: readonly (number | bigint)[] }
  | { readonly type: 'strings'; readonly value: readonly string[] };

/** `AttributeProto.AttributeType` codes. */
const ATTRIBUTE_TYPE_CODES: Readonly<Record<OnnxAttribute['type'], number>> = {
  float: 1,
  int: 2,
  string: 3,
  tensor: 4,
  graph: 5,
  floats: 6,
  ints: 7,
  strings: 8,
};

/** One operator application. @public */
export interface OnnxNode {
  /** The operator, e.g. `'MatMul'`. */
  readonly opType: string;
  /** Input value names; `''` marks an omitted optional input. */
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly name?: string;
  /** The operator set the operator belongs to; omitted means the default ONNX domain. */
  readonly domain?: string;
  readonly attributes?: Readonly<Record<string, OnnxAttribute>>;
}

/**
 * A graph input, output or intermediate value. `shape` undefined means unknown rank; each
 * dimension is a size, a symbolic name (`'batch'`) or null (unknown).
 * @public
 */
export interface OnnxValueInfo {
  readonly name: string;
  readonly dataType: OnnxDataType;
  readonly shape?: readonly (number | string | null)[];
}

/** A computation graph. @public */
export interface OnnxGraph {
  readonly name: string;
  readonly nodes: readonly OnnxNode[];
  readonly inputs: readonly OnnxValueInfo[];
  readonly outputs: readonly OnnxValueInfo[];
  readonly initializers?: readonly OnnxTensor[];
  readonly valueInfo?: readonly OnnxValueInfo[];
  readonly docString?: string;
}

/** An operator set the model uses: `''` is the default ONNX domain. @public */
export interface OnnxOpsetImport {
  readonly domain: string;
  readonly version: number;
}

/** A whole model. @public */
export interface OnnxModel {
  readonly graph: OnnxGraph;
  /** @defaultValue `[{ domain: '', version: 17 }]` */
  readonly opsetImports?: readonly OnnxOpsetImport[];
  /** The ONNX IR version (8 is ONNX 1.10+, read by every onnxruntime since 1.10). @defaultValue 8 */
  readonly irVersion?: number;
  /** @defaultValue `'@llmkit/tensor-gpu'` */
  readonly producerName?: string;
  readonly producerVersion?: string;
  readonly docString?: string;
  /** Free-form key/value metadata (`metadata_props`). */
  readonly metadata?: Readonly<Record<string, string>>;
}

/**
 * Encodes a model as the bytes of an `.onnx` file.
 *
 * @example
 * ```ts
 * const bytes = encodeOnnxModel({
 *   graph: {
 *     name: 'matmul',
 *     nodes: [{ opType: 'MatMul', inputs: ['a', 'b'], outputs: ['y'] }],
 *     inputs: [{ name: 'a', dataType: 'float32', shape: ['m', 'k'] }, { name: 'b', dataType: 'float32', shape: ['k', 'n'] }],
 *     outputs: [{ name: 'y', dataType: 'float32', shape: ['m', 'n'] }],
 *   },
 * });
 * ```
 * @throws TensorError `INVALID_ARGUMENT` for unknown types or tensor data of the wrong length.
 * @public
 */
export function encodeOnnxModel(model: OnnxModel): Uint8Array {
  const w = new ProtoWriter();
  w.varint(1, model.irVersion ?? 8); // ir_version
  w.string(2, model.producerName ?? '@llmkit/tensor-gpu'); // producer_name
  if (model.producerVersion !== undefined) w.string(3, model.producerVersion);
  if (model.docString !== undefined) w.string(6, model.docString);
  w.message(7, (g) => writeGraph(g, model.graph)); // graph
  for (const opset of model.opsetImports ?? [{ domain: '', version: 17 }]) {
    w.message(8, (o) => o.string(1, opset.domain).varint(2, opset.version)); // opset_import
  }
  for (const [key, value] of Object.entries(model.metadata ?? {})) {
    w.message(14, (m) => m.string(1, key).string(2, value)); // metadata_props
  }
  return w.finish();
}

function writeGraph(w: ProtoWriter, graph: OnnxGraph): void {
  for (const node of graph.nodes) w.message(1, (n) => writeNode(n, node)); // node
  w.string(2, graph.name); // name
  for (const tensor of graph.initializers ?? []) w.message(5, (t) => writeTensor(t, tensor));
  if (graph.docString !== undefined) w.string(10, graph.docString);
  for (const value of graph.inputs) w.message(11, (v) => writeValueInfo(v, value));
  for (const value of graph.outputs) w.message(12, (v) => writeValueInfo(v, value));
  for (const value of graph.valueInfo ?? []) w.message(13, (v) => writeValueInfo(v, value));
}

function writeNode(w: ProtoWriter, node: OnnxNode): void {
  for (const input of node.inputs) w.string(1, input);
  for (const output of node.outputs) w.string(2, output);
  if (node.name !== undefined) w.string(3, node.name);
  w.string(4, node.opType);
  // onnx.helper.make_node sorts attributes by name; so do we, for identical bytes.
  const attributes = Object.entries(node.attributes ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
  for (const [name, attribute] of attributes) {
    w.message(5, (a) => writeAttribute(a, name, attribute));
  }
  if (node.domain !== undefined) w.string(7, node.domain);
}

function writeAttribute(w: ProtoWriter, name: string, attribute: OnnxAttribute): void {
  w.string(1, name);
  switch (attribute.type) {
    case 'float':
      w.float(2, attribute.value);
      break;
    case 'int':
      w.varint(3, attribute.value);
      break;
    case 'string':
      w.string(4, attribute.value);
      break;
    case 'tensor':
      w.message(5, (t) => writeTensor(t, attribute.value));
      break;
    case 'graph':
      w.message(6, (g) => writeGraph(g, attribute.value));
      break;
    case 'floats':
      for (const value of attribute.value) w.float(7, value);
      break;
    case 'ints':
      for (const value of attribute.value) w.varint(8, value);
      break;
    case 'strings':
      for (const value of attribute.value) w.string(9, value);
      break;
    default:
      throw new TensorError({
        code: 'INVALID_ARGUMENT',
        fn: 'encodeOnnxModel',
        argument: `attribute ${name}`,
        detail: `unknown attribute type ${JSON.stringify((attribute as { type: unknown }).type)}; expected one of ${Object.keys(ATTRIBUTE_TYPE_CODES).join(', ')}.`,
      });
  }
  w.varint(20, ATTRIBUTE_TYPE_CODES[attribute.type]); // type
}

function writeTensor(w: ProtoWriter, tensor: OnnxTensor): void {
  const size = tensor.dims.reduce((a, b) => a * b, 1);
  const expected = size * BYTES_PER_ELEMENT[tensor.dataType];
  const code = onnxDataTypeCode(tensor.dataType);
  if (tensor.data.byteLength !== expected) {
    throw new TensorError({
      code: 'SHAPE_MISMATCH',
      fn: 'encodeOnnxModel',
      argument: `tensor ${tensor.name}`,
      detail: `dims [${tensor.dims.join(', ')}] of ${tensor.dataType} need ${expected} bytes of data, received ${tensor.data.byteLength}.`,
    });
  }
  for (const dim of tensor.dims) w.varint(1, dim); // dims
  w.varint(2, code); // data_type
  w.string(8, tensor.name); // name
  const raw = new Uint8Array(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength);
  w.bytes(9, littleEndian ? raw : swapToLittleEndian(raw, BYTES_PER_ELEMENT[tensor.dataType])); // raw_data
}

function writeValueInfo(w: ProtoWriter, value: OnnxValueInfo): void {
  w.string(1, value.name);
  w.message(2, (type) =>
    type.message(1, (tensorType) => {
      tensorType.varint(1, onnxDataTypeCode(value.dataType)); // elem_type
      if (value.shape === undefined) return;
      tensorType.message(2, (shape) => {
        for (const dim of value.shape ?? []) {
          shape.message(1, (d) => {
            if (typeof dim === 'number') d.varint(1, dim);
            else if (typeof dim === 'string') d.string(2, dim);
          });
        }
      });
    }),
  );
}

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** raw_data is little-endian by definition (onnx.proto); swap on big-endian hosts. */
function swapToLittleEndian(bytes: Uint8Array, width: number): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i += width) {
    for (let j = 0; j < width; j++) out[i + j] = bytes[i + width - 1 - j]!;
  }
  return out;
}
