/**
 * The safetensors header (https://github.com/huggingface/safetensors, "Format"): an 8-byte
 * little-endian length N, then N bytes of JSON, `{"__metadata__": {…}, name: {dtype, shape,
 * data_offsets: [begin, end]}, …}`, offsets counted from the end of the header.
 *
 * Validation is what the Rust library checks before trusting a byte: the length against a
 * limit and the file size, UTF-8 JSON starting with `{`, known dtypes, non-negative integer
 * shapes, offsets matching dtype size × element count, and offsets that tile the data section
 * exactly (contiguous, no gaps or overlaps, no trailing bytes).
 */
import { TensorError } from './errors.js';

/** Element types of safetensors that llmkit reads and writes. @public */
export type SafetensorsDtype =
  | 'F64'
  | 'F32'
  | 'F16'
  | 'BF16'
  | 'I64'
  | 'I32'
  | 'I16'
  | 'I8'
  | 'U64'
  | 'U32'
  | 'U16'
  | 'U8'
  | 'BOOL';

/** Bytes per element, and the rank in safetensors' `Dtype` enum (its writer sorts by it). */
export const DTYPES: Readonly<Record<SafetensorsDtype, { size: number; rank: number }>> = {
  BOOL: { size: 1, rank: 0 },
  U8: { size: 1, rank: 4 },
  I8: { size: 1, rank: 5 },
  I16: { size: 2, rank: 9 },
  U16: { size: 2, rank: 10 },
  F16: { size: 2, rank: 11 },
  BF16: { size: 2, rank: 12 },
  I32: { size: 4, rank: 13 },
  U32: { size: 4, rank: 14 },
  F32: { size: 4, rank: 15 },
  F64: { size: 8, rank: 17 },
  I64: { size: 8, rank: 18 },
  U64: { size: 8, rank: 19 },
};

/** One tensor's description in a header: where its bytes are. @public */
export interface SafetensorsTensorInfo {
  readonly name: string;
  readonly dtype: SafetensorsDtype;
  readonly shape: readonly number[];
  /** Offset of the first byte from the start of the file (8 + header length + begin). */
  readonly byteOffset: number;
  readonly byteLength: number;
}

/** A validated header. @public */
export interface SafetensorsHeader {
  /** Tensors in file order. */
  readonly tensors: readonly SafetensorsTensorInfo[];
  /** The `__metadata__` strings (empty when absent). */
  readonly metadata: Readonly<Record<string, string>>;
  /** 8 + header length: where the data section starts. */
  readonly dataOffset: number;
  /** The size the file must have. */
  readonly fileLength: number;
}

/** Options for reading. @public */
export interface SafetensorsReadOptions {
  /**
   * Largest header accepted, in bytes; a guard against hostile files.
   * @defaultValue 100_000_000 (safetensors' `MAX_HEADER_SIZE`)
   */
  readonly maxHeaderBytes?: number;
}

/** A tensor's dtype, shape and raw little-endian bytes. @public */
export interface SafetensorsEntry {
  readonly dtype: SafetensorsDtype;
  readonly shape: readonly number[];
  /** Row-major little-endian element bytes: any typed array or `Uint8Array` view of them. */
  readonly data: ArrayBufferView;
}

/** Bytes per element of a dtype. @public */
export function safetensorsDtypeSize(dtype: SafetensorsDtype): number {
  return DTYPES[dtype].size;
}

const MAX_HEADER_BYTES = 100_000_000;

function corrupt(fn: string, detail: string, argument = 'bytes'): TensorError {
  return new TensorError({ code: 'CORRUPT_DATA', fn, argument, detail });
}

/**
 * The length of the JSON header, from the first 8 bytes of a file of `fileLength` bytes.
 * @internal
 */
export function headerLength(
  fn: string,
  prefix: Uint8Array,
  fileLength: number,
  maxHeaderBytes: number = MAX_HEADER_BYTES,
): number {
  if (fileLength < 8 || prefix.length < 8) {
    throw corrupt(
      fn,
      `a safetensors file starts with an 8-byte header length; this one has ${fileLength} bytes.`,
    );
  }
  const n = new DataView(prefix.buffer, prefix.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(maxHeaderBytes)) {
    throw corrupt(
      fn,
      `the header claims ${n} bytes, over the limit of ${maxHeaderBytes}. Raise options.maxHeaderBytes only for files you trust.`,
    );
  }
  const length = Number(n);
  if (8 + length > fileLength) {
    throw corrupt(
      fn,
      `the header claims ${length} bytes but the file has only ${fileLength - 8} after the length field: truncated or not a safetensors file.`,
    );
  }
  return length;
}

/** A safe integer ≥ 0. @internal */
export function isNonNegativeInteger(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
}

/**
 * Validates a header: `json` holds the N header bytes, `fileLength` the whole file's size.
 * @public
 */
export function parseSafetensorsHeader(json: Uint8Array, fileLength: number): SafetensorsHeader {
  return parseHeader('parseSafetensorsHeader', json, fileLength);
}

/** {@link parseSafetensorsHeader} reporting errors as `fn`'s. @internal */
export function parseHeader(fn: string, json: Uint8Array, fileLength: number): SafetensorsHeader {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(json);
  } catch {
    throw corrupt(fn, 'the header is not valid UTF-8.');
  }
  if (!text.startsWith('{'))
    throw corrupt(
      fn,
      `the header must be a JSON object starting with "{", found ${JSON.stringify(text.slice(0, 16))}.`,
    );
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw corrupt(fn, `the header is not valid JSON (${(error as Error).message}).`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw corrupt(fn, 'the header must be a JSON object.');
  }
  const dataOffset = 8 + json.length;
  const dataLength = fileLength - dataOffset;
  const metadata: Record<string, string> = {};
  const tensors: (SafetensorsTensorInfo & { begin: number; end: number })[] = [];
  for (const [name, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        throw corrupt(fn, '__metadata__ must be an object of strings.');
      }
      for (const [key, v] of Object.entries(value)) {
        if (typeof v !== 'string')
          throw corrupt(fn, `__metadata__.${key} must be a string, found ${typeof v}.`);
        metadata[key] = v;
      }
      continue;
    }
    const info = value as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const where = `tensor ${JSON.stringify(name)}`;
    if (typeof info !== 'object' || info === null)
      throw corrupt(fn, `${where} must be an object with dtype, shape and data_offsets.`);
    if (typeof info.dtype !== 'string' || !(info.dtype in DTYPES)) {
      throw corrupt(
        fn,
        `${where} has dtype ${JSON.stringify(info.dtype)}; supported: ${Object.keys(DTYPES).join(', ')}.`,
      );
    }
    const dtype = info.dtype as SafetensorsDtype;
    if (!Array.isArray(info.shape) || !info.shape.every(isNonNegativeInteger)) {
      throw corrupt(
        fn,
        `${where} has shape ${JSON.stringify(info.shape)}; expected an array of non-negative integers.`,
      );
    }
    const offsets = info.data_offsets;
    if (
      !Array.isArray(offsets) ||
      offsets.length !== 2 ||
      !offsets.every(isNonNegativeInteger) ||
      offsets[0]! > offsets[1]!
    ) {
      throw corrupt(
        fn,
        `${where} has data_offsets ${JSON.stringify(offsets)}; expected [begin, end] with 0 ≤ begin ≤ end.`,
      );
    }
    const [begin, end] = offsets as [number, number];
    const elements = (info.shape as number[]).reduce((a, b) => a * b, 1);
    const expected = elements * DTYPES[dtype].size;
    if (!Number.isSafeInteger(expected) || expected !== end - begin) {
      throw corrupt(
        fn,
        `${where} (${dtype} [${info.shape}]) needs ${expected} bytes but its offsets span ${end - begin}.`,
      );
    }
    tensors.push({
      name,
      dtype,
      shape: info.shape as number[],
      byteOffset: dataOffset + begin,
      byteLength: end - begin,
      begin,
      end,
    });
  }
  const ordered = [...tensors].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  for (const t of ordered) {
    if (t.begin !== cursor) {
      throw corrupt(
        fn,
        `tensor ${JSON.stringify(t.name)} starts at byte ${t.begin} of the data, expected ${cursor}: offsets must be contiguous without gaps or overlaps.`,
      );
    }
    cursor = t.end;
  }
  if (cursor > dataLength) {
    throw corrupt(
      fn,
      `the header describes ${cursor} bytes of tensor data but the file has ${dataLength}: the file is truncated.`,
    );
  }
  if (cursor < dataLength) {
    throw corrupt(
      fn,
      `the file has ${dataLength - cursor} bytes after the last tensor; a safetensors file ends with its last tensor.`,
    );
  }
  const infos = ordered.map(({ begin: _b, end: _e, ...info }) => info);
  return { tensors: infos, metadata, dataOffset, fileLength };
}
