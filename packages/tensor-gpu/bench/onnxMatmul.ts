/**
 * A one-node ONNX model, C = A·B for n×n float32 matrices, encoded by hand (protobuf wire
 * format, onnx/onnx.proto field numbers) so the benchmark can time onnxruntime's MatMul.
 */

function varint(value: number): number[] {
  const out: number[] = [];
  let v = value;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

const utf8 = (s: string): number[] => [...new TextEncoder().encode(s)];
const field = (number: number, bytes: number[]): number[] => [
  ...varint((number << 3) | 2),
  ...varint(bytes.length),
  ...bytes,
];
const int = (number: number, value: number): number[] => [...varint(number << 3), ...varint(value)];

/** ValueInfoProto of a float32 tensor with a fixed shape. */
function tensorValue(name: string, shape: number[]): number[] {
  const dims = shape.flatMap((d) => field(1, int(1, d))); // TensorShapeProto.dim { dim_value }
  const tensorType = [...int(1, 1), ...field(2, dims)]; // elem_type FLOAT = 1, shape
  return [...field(1, utf8(name)), ...field(2, field(1, tensorType))]; // name, type { tensor_type }
}

/** ModelProto bytes for C = MatMul(A, B), A and B of shape [n, n]. */
export function onnxMatmulModel(n: number): Uint8Array {
  const node = [
    ...field(1, utf8('A')),
    ...field(1, utf8('B')),
    ...field(2, utf8('C')),
    ...field(4, utf8('MatMul')),
  ];
  const graph = [
    ...field(1, node),
    ...field(2, utf8('matmul')),
    ...field(11, tensorValue('A', [n, n])),
    ...field(11, tensorValue('B', [n, n])),
    ...field(12, tensorValue('C', [n, n])),
  ];
  const opset = [...field(1, []), ...int(2, 17)];
  return Uint8Array.from([
    ...int(1, 8),
    ...field(2, utf8('llmkit-bench')),
    ...field(7, graph),
    ...field(8, opset),
  ]);
}
