/**
 * The format against files written by Hugging Face's `safetensors` (test/fixtures/
 * golden_safetensors.py), byte-identical writing, and every way a file can lie or break.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TensorError } from './errors.js';
import { bfloat16ToFloat32, float16ToFloat32 } from './halfPrecision.js';
import { readSafetensors, writeSafetensors } from './safetensors.js';
import type { SafetensorsDtype, SafetensorsEntry } from './safetensorsHeader.js';

const fixture = (name: string) => new URL(`../test/fixtures/${name}`, import.meta.url);
const goldenBytes = new Uint8Array(readFileSync(fixture('golden.safetensors')));
const golden: {
  metadata: Record<string, string>;
  tensors: Record<
    string,
    { dtype: SafetensorsDtype; shape: number[]; values: (number | boolean)[] }
  >;
} = JSON.parse(readFileSync(fixture('golden.json'), 'utf8'));

const ARRAYS = {
  F64: Float64Array,
  F32: Float32Array,
  I32: Int32Array,
  I16: Int16Array,
  I8: Int8Array,
  U8: Uint8Array,
  BOOL: Uint8Array,
} as const;

/** Decodes raw little-endian entry bytes to plain numbers, independently of the loaders. */
function decode(entry: SafetensorsEntry): number[] {
  const bytes = new Uint8Array(
    entry.data.buffer,
    entry.data.byteOffset,
    entry.data.byteLength,
  ).slice();
  if (entry.dtype === 'F16') return Array.from(float16ToFloat32(new Uint16Array(bytes.buffer)));
  if (entry.dtype === 'BF16') return Array.from(bfloat16ToFloat32(new Uint16Array(bytes.buffer)));
  if (entry.dtype === 'I64') return Array.from(new BigInt64Array(bytes.buffer), Number);
  return Array.from(new ARRAYS[entry.dtype as keyof typeof ARRAYS](bytes.buffer));
}

/** The golden tensors as entries built from their values, for writing. */
function goldenEntries(): Record<string, SafetensorsEntry> {
  const out: Record<string, SafetensorsEntry> = {};
  for (const [name, t] of Object.entries(golden.tensors)) {
    const values = t.values.map(Number);
    const data =
      t.dtype === 'I64'
        ? BigInt64Array.from(values, BigInt)
        : t.dtype === 'F16' || t.dtype === 'BF16'
          ? readSafetensors(goldenBytes).tensors.get(name)!.data.slice()
          : new ARRAYS[t.dtype as keyof typeof ARRAYS](values);
    out[name] = { dtype: t.dtype, shape: t.shape, data };
  }
  return out;
}

describe('readSafetensors on a file written by Python safetensors', () => {
  it('reads every dtype, shape, value and the metadata', () => {
    const file = readSafetensors(goldenBytes);
    expect(file.metadata).toEqual(golden.metadata);
    expect([...file.tensors.keys()].sort()).toEqual(Object.keys(golden.tensors).sort());
    for (const [name, t] of Object.entries(golden.tensors)) {
      const entry = file.tensors.get(name)!;
      expect(entry.dtype, name).toBe(t.dtype);
      expect(entry.shape, name).toEqual(t.shape);
      expect(decode(entry), name).toEqual(t.values.map(Number));
    }
  });
});

describe('writeSafetensors', () => {
  it('reproduces the Python file byte for byte', () => {
    const written = writeSafetensors(goldenEntries(), { metadata: golden.metadata });
    expect(written.length).toBe(goldenBytes.length);
    expect(Buffer.from(written).equals(Buffer.from(goldenBytes))).toBe(true);
  });

  it('refuses entries whose data do not match dtype and shape, or reserved names', () => {
    expect(() =>
      writeSafetensors({ w: { dtype: 'F32', shape: [2, 2], data: new Float32Array(3) } }),
    ).toThrow(/writeSafetensors\(tensors\.w\): F32 \[2,2\] needs 16 bytes of data, received 12/);
    expect(() =>
      writeSafetensors({ w: { dtype: 'Q4' as 'F32', shape: [1], data: new Uint8Array(1) } }),
    ).toThrow(/unsupported dtype "Q4"/);
    expect(() =>
      writeSafetensors({ __metadata__: { dtype: 'U8', shape: [0], data: new Uint8Array(0) } }),
    ).toThrow(/reserved/);
  });
});

/** A file from a header object and a data section of `dataBytes` bytes. */
function craft(header: unknown, dataBytes: number, raw?: string): Uint8Array {
  const text = new TextEncoder().encode(raw ?? JSON.stringify(header));
  const out = new Uint8Array(8 + text.length + dataBytes);
  new DataView(out.buffer).setBigUint64(0, BigInt(text.length), true);
  out.set(text, 8);
  return out;
}

const F32 = (begin: number, end: number, shape = [(end - begin) / 4]) => ({
  dtype: 'F32',
  shape,
  data_offsets: [begin, end],
});

describe('corrupt, truncated and lying files', () => {
  const cases: [string, Uint8Array, RegExp][] = [
    ['an empty file', new Uint8Array(0), /8-byte header length; this one has 0 bytes/],
    [
      'a header longer than the file',
      goldenBytes.slice(0, 100),
      /the header claims 896 bytes but the file has only 92/,
    ],
    [
      'truncated tensor data',
      goldenBytes.slice(0, -1),
      /describes 209 bytes of tensor data but the file has 208: the file is truncated/,
    ],
    ['trailing bytes', new Uint8Array([...goldenBytes, 0]), /1 bytes after the last tensor/],
    ['invalid JSON', craft(null, 0, '{"a": '), /not valid JSON/],
    ['not an object', craft(null, 0, '[1, 2]'), /must be a JSON object starting with "\{"/],
    [
      'invalid UTF-8',
      craft(null, 0, '{"\udcff": 1}'.replace('\udcff', '\u00ff')).map((b, i) =>
        i === 10 ? 0xff : b,
      ),
      /not valid UTF-8/,
    ],
    [
      'an unknown dtype',
      craft({ x: { dtype: 'F8_E4M3', shape: [1], data_offsets: [0, 1] } }, 1),
      /dtype "F8_E4M3"; supported: /,
    ],
    [
      'a negative dimension',
      craft({ x: F32(0, 4, [-1]) }, 4),
      /shape \[-1\]; expected an array of non-negative integers/,
    ],
    [
      'offsets that lie about the size',
      craft({ x: F32(0, 8, [3]) }, 8),
      /F32 \[3\]\) needs 12 bytes but its offsets span 8/,
    ],
    [
      'reversed offsets',
      craft({ x: { dtype: 'U8', shape: [0], data_offsets: [4, 0] } }, 4),
      /expected \[begin, end\] with 0 ≤ begin ≤ end/,
    ],
    [
      'a gap',
      craft({ a: F32(0, 4), b: F32(8, 12) }, 12),
      /"b" starts at byte 8 of the data, expected 4/,
    ],
    [
      'an overlap',
      craft({ a: F32(0, 8), b: F32(4, 12) }, 12),
      /"b" starts at byte 4 of the data, expected 8/,
    ],
    [
      'non-string metadata',
      craft({ __metadata__: { epoch: 3 } }, 0),
      /__metadata__\.epoch must be a string/,
    ],
    [
      'offsets beyond 2^53',
      craft({ x: { dtype: 'U8', shape: [1], data_offsets: [0, 2 ** 60] } }, 1),
      /expected \[begin, end\]/,
    ],
  ];

  it.each(cases)('refuses %s with CORRUPT_DATA and a reason', (_, bytes, message) => {
    const error = (() => {
      try {
        readSafetensors(bytes);
      } catch (e) {
        return e as TensorError;
      }
    })();
    expect(error).toBeInstanceOf(TensorError);
    expect(error?.code).toBe('CORRUPT_DATA');
    expect(error?.message).toMatch(message);
  });

  it('refuses headers over the size limit before reading them', () => {
    expect(() => readSafetensors(goldenBytes, { maxHeaderBytes: 512 })).toThrow(
      /the header claims 896 bytes, over the limit of 512\. Raise options\.maxHeaderBytes only for files you trust/,
    );
  });

  it('accepts what the format allows: no tensors, zero-size tensors, unpadded headers', () => {
    expect(readSafetensors(craft({}, 0)).tensors.size).toBe(0);
    const file = readSafetensors(craft({ e: F32(0, 0, [0, 5]), s: F32(0, 4, []) }, 4));
    expect(file.tensors.get('e')!.shape).toEqual([0, 5]);
    expect(file.tensors.get('s')!.data.byteLength).toBe(4);
  });
});
