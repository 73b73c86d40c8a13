/**
 * The encoder against the reference: the `onnx` Python package serialised the same three graphs
 * (test/fixtures/onnx_golden.py), and `encodeOnnxModel` must produce the same bytes.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeOnnxModel, type OnnxModel, type OnnxTensor } from './onnxModel.js';
import { ProtoWriter } from './protobuf.js';

const golden = JSON.parse(
  readFileSync(new URL('../../test/fixtures/onnx_golden.json', import.meta.url), 'utf8'),
) as { models: Record<string, string> };

const goldenBytes = (name: string): Uint8Array =>
  Uint8Array.from(Buffer.from(golden.models[name]!, 'base64'));

const f32 = (name: string, dims: number[], values: number[]): OnnxTensor => ({
  name,
  dataType: 'float32',
  dims,
  data: Float32Array.from(values),
});

const MODELS: Record<string, OnnxModel> = {
  fused_matmul: {
    graph: {
      name: 'matmul_nt',
      nodes: [
        {
          opType: 'FusedMatMul',
          domain: 'com.microsoft',
          inputs: ['A', 'B'],
          outputs: ['Y'],
          attributes: {
            transB: { type: 'int', value: 1 },
            alpha: { type: 'float', value: 1 },
            transA: { type: 'int', value: 0 },
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
  },
  mlp: {
    producerVersion: '0.0.0',
    docString: 'golden test model',
    metadata: { purpose: 'golden', unicode: 'λ→∑' },
    graph: {
      name: 'mlp',
      docString: 'x -> softmax(relu(x w + b))',
      nodes: [
        { opType: 'MatMul', inputs: ['x', 'w'], outputs: ['xw'], name: 'linear' },
        { opType: 'Add', inputs: ['xw', 'b'], outputs: ['h'] },
        { opType: 'Relu', inputs: ['h'], outputs: ['r'] },
        {
          opType: 'Softmax',
          inputs: ['r'],
          outputs: ['y'],
          attributes: { axis: { type: 'int', value: -1 } },
        },
      ],
      inputs: [{ name: 'x', dataType: 'float32', shape: ['batch', 4] }],
      outputs: [{ name: 'y', dataType: 'float32', shape: ['batch', 3] }],
      valueInfo: [{ name: 'h', dataType: 'float32', shape: [null, 3] }],
      initializers: [
        f32(
          'w',
          [4, 3],
          Array.from({ length: 12 }, (_, i) => (i - 6) / 8),
        ),
        f32('b', [3], [0.25, -1.5, 3.0]),
      ],
    },
  },
  attributes: {
    graph: {
      name: 'attributes',
      nodes: [
        {
          opType: 'Constant',
          inputs: [],
          outputs: ['c'],
          attributes: { value: { type: 'tensor', value: f32('c_value', [1, 2], [1.5, -2.0]) } },
        },
        { opType: 'Reshape', inputs: ['x', 'shape'], outputs: ['r'] },
        {
          opType: 'CustomOp',
          domain: 'ai.llmkit.test',
          inputs: ['r', '', 'mask', 'half'],
          outputs: ['z'],
          attributes: {
            floats: { type: 'floats', value: [0.5, -1.25, 3.0e-8] },
            ints: { type: 'ints', value: [3, -1, 2 ** 40, -(2 ** 40)] },
            strings: { type: 'strings', value: ['alpha', 'βeta'] },
            label: { type: 'string', value: 'héllo' },
            count: { type: 'int', value: -7 },
            scale: { type: 'float', value: 0.1 },
          },
        },
      ],
      inputs: [{ name: 'x', dataType: 'float32', shape: [2, 3] }],
      outputs: [{ name: 'z', dataType: 'float32', shape: [] }],
      initializers: [
        { name: 'shape', dataType: 'int64', dims: [2], data: BigInt64Array.from([-1n, 6n]) },
        { name: 'mask', dataType: 'bool', dims: [3], data: Uint8Array.from([1, 0, 1]) },
        // float16 bits of 1, -2.5, 65504, 0.
        {
          name: 'half',
          dataType: 'float16',
          dims: [4],
          data: Uint16Array.from([0x3c00, 0xc100, 0x7bff, 0]),
        },
      ],
    },
    opsetImports: [
      { domain: '', version: 17 },
      { domain: 'ai.llmkit.test', version: 1 },
    ],
  },
};

describe('encodeOnnxModel', () => {
  it.each(Object.keys(MODELS))('writes %s byte for byte as the onnx package does', (name) => {
    expect(Buffer.from(encodeOnnxModel(MODELS[name]!)).toString('base64')).toBe(
      Buffer.from(goldenBytes(name)).toString('base64'),
    );
  });

  it('refuses tensor data that does not match its dims, naming the tensor', () => {
    const model: OnnxModel = {
      graph: { ...MODELS.mlp!.graph, initializers: [f32('w', [4, 3], [1, 2, 3])] },
    };
    expect(() => encodeOnnxModel(model)).toThrow(/tensor w.*need 48 bytes of data, received 12/);
  });

  it('refuses an unknown data type with the list of known ones', () => {
    const model = {
      graph: {
        ...MODELS.mlp!.graph,
        inputs: [{ name: 'x', dataType: 'float8' as 'float32', shape: [1] }],
      },
    };
    expect(() => encodeOnnxModel(model)).toThrow(/unknown ONNX data type "float8"/);
  });
});

describe('ProtoWriter', () => {
  /** Decodes one varint at the start of `bytes`, as protobuf readers do (64-bit, unsigned). */
  function readVarint(bytes: Uint8Array): [bigint, number] {
    let value = 0n;
    let shift = 0n;
    for (let i = 0; i < bytes.length; i++) {
      value |= BigInt(bytes[i]! & 0x7f) << shift;
      shift += 7n;
      if ((bytes[i]! & 0x80) === 0) return [value, i + 1];
    }
    throw new Error('truncated varint');
  }

  it('round-trips every int64 through a varint field as two’s complement', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (value) => {
        const bytes = new ProtoWriter().varint(1, value).finish();
        expect(bytes[0]).toBe(0x08); // field 1, wire type 0
        const [decoded, length] = readVarint(bytes.subarray(1));
        expect(length).toBe(bytes.length - 1);
        expect(BigInt.asIntN(64, decoded)).toBe(value);
        expect(length).toBe(value < 0n ? 10 : Math.max(1, Math.ceil(value.toString(2).length / 7)));
      }),
    );
  });

  it('writes length-delimited fields whose length prefix matches the payload', () => {
    fc.assert(
      fc.property(fc.string(), fc.uint8Array({ maxLength: 300 }), (text, payload) => {
        const bytes = new ProtoWriter().string(2, text).bytes(3, payload).finish();
        const utf8 = new TextEncoder().encode(text);
        expect(bytes[0]).toBe(0x12);
        const [n1, l1] = readVarint(bytes.subarray(1));
        expect(Number(n1)).toBe(utf8.length);
        const second = 1 + l1 + utf8.length;
        expect(bytes[second]).toBe(0x1a);
        const [n2, l2] = readVarint(bytes.subarray(second + 1));
        expect(Number(n2)).toBe(payload.length);
        expect(bytes.length).toBe(second + 1 + l2 + payload.length);
      }),
    );
  });
});
