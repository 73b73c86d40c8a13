/**
 * Reading and writing safetensors files held in memory. Writing orders tensors as safetensors'
 * own writer does (by dtype, later in its enum first, then by name) and pads the header with
 * spaces to 8 bytes, so a file with at most one metadata entry comes out byte for byte as
 * Python's `save_file` writes it. Works on bytes and runs anywhere; files on disk are in
 * `@llmkit/tensor-gpu/node`.
 */
import { TensorError } from './errors.js';
import {
  DTYPES,
  headerLength,
  isNonNegativeInteger,
  parseHeader,
  type SafetensorsEntry,
  type SafetensorsReadOptions,
} from './safetensorsHeader.js';

/** A whole file's tensors (views into the given bytes) and metadata. @public */
export interface SafetensorsContents {
  readonly metadata: Readonly<Record<string, string>>;
  readonly tensors: ReadonlyMap<string, SafetensorsEntry & { readonly data: Uint8Array }>;
}

/**
 * Reads a safetensors file held in memory. Tensor data are `Uint8Array` views into `bytes`
 * (no copy).
 * @throws TensorError `CORRUPT_DATA` naming what is wrong with the file.
 * @public
 */
export function readSafetensors(
  bytes: Uint8Array,
  options: SafetensorsReadOptions = {},
): SafetensorsContents {
  const fn = 'readSafetensors';
  if (!(bytes instanceof Uint8Array)) {
    throw new TensorError({
      code: 'INVALID_ARGUMENT',
      fn,
      argument: 'bytes',
      detail: 'expected a Uint8Array of the file.',
    });
  }
  const n = headerLength(fn, bytes, bytes.length, options.maxHeaderBytes);
  const header = parseHeader(fn, bytes.subarray(8, 8 + n), bytes.length);
  const tensors = new Map<string, SafetensorsEntry & { data: Uint8Array }>();
  for (const t of header.tensors) {
    tensors.set(t.name, {
      dtype: t.dtype,
      shape: t.shape,
      data: bytes.subarray(t.byteOffset, t.byteOffset + t.byteLength),
    });
  }
  return { metadata: header.metadata, tensors };
}

/** Options for writing. @public */
export interface SafetensorsWriteOptions {
  /** Strings stored under `__metadata__` (e.g. `{ format: 'pt' }` for transformers). */
  readonly metadata?: Readonly<Record<string, string>>;
}

/** The layout of a file about to be written: header bytes, then entries in this order. @internal */
export interface SafetensorsLayout {
  readonly header: Uint8Array;
  readonly order: readonly [string, SafetensorsEntry][];
}

/** Validates entries and lays out the file. @internal */
export function layoutSafetensors(
  fn: string,
  entries: Readonly<Record<string, SafetensorsEntry>>,
  options: SafetensorsWriteOptions = {},
): SafetensorsLayout {
  const order = Object.entries(entries);
  for (const [name, entry] of order) {
    const argument = `tensors.${name}`;
    if (name === '__metadata__' || name === '') {
      throw new TensorError({
        code: 'INVALID_ARGUMENT',
        fn,
        argument,
        detail: 'this tensor name is reserved or empty.',
      });
    }
    if (!(entry?.dtype in DTYPES)) {
      throw new TensorError({
        code: 'DTYPE_MISMATCH',
        fn,
        argument,
        detail: `unsupported dtype ${JSON.stringify(entry?.dtype)}; use one of ${Object.keys(DTYPES).join(', ')}.`,
      });
    }
    if (!Array.isArray(entry.shape) || !entry.shape.every(isNonNegativeInteger)) {
      throw new TensorError({
        code: 'INVALID_ARGUMENT',
        fn,
        argument,
        detail: `shape must be non-negative integers, received ${JSON.stringify(entry.shape)}.`,
      });
    }
    const expected = entry.shape.reduce((a, b) => a * b, 1) * DTYPES[entry.dtype].size;
    if (!ArrayBuffer.isView(entry.data) || entry.data.byteLength !== expected) {
      throw new TensorError({
        code: 'SHAPE_MISMATCH',
        fn,
        argument,
        detail: `${entry.dtype} [${entry.shape}] needs ${expected} bytes of data, received ${ArrayBuffer.isView(entry.data) ? entry.data.byteLength : typeof entry.data}.`,
      });
    }
  }
  order.sort(
    ([a, x], [b, y]) => DTYPES[y.dtype].rank - DTYPES[x.dtype].rank || (a < b ? -1 : a > b ? 1 : 0),
  );
  const json: Record<string, unknown> = {};
  const metadata = options.metadata;
  if (metadata !== undefined && Object.keys(metadata).length > 0) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') {
        throw new TensorError({
          code: 'INVALID_ARGUMENT',
          fn,
          argument: `options.metadata.${k}`,
          detail: `metadata values must be strings, received ${typeof v}.`,
        });
      }
    }
    json.__metadata__ = metadata;
  }
  let offset = 0;
  for (const [name, entry] of order) {
    const end = offset + entry.data.byteLength;
    json[name] = { dtype: entry.dtype, shape: entry.shape, data_offsets: [offset, end] };
    offset = end;
  }
  const text = new TextEncoder().encode(JSON.stringify(json));
  const padded = Math.ceil(text.length / 8) * 8;
  const header = new Uint8Array(8 + padded).fill(0x20, 8 + text.length);
  new DataView(header.buffer).setBigUint64(0, BigInt(padded), true);
  header.set(text, 8);
  return { header, order };
}

/** Bytes of one entry as a Uint8Array view. @internal */
export function entryBytes(entry: SafetensorsEntry): Uint8Array {
  return new Uint8Array(entry.data.buffer, entry.data.byteOffset, entry.data.byteLength);
}

/**
 * Serialises tensors to a safetensors file in memory.
 * @example
 * ```ts
 * const bytes = writeSafetensors({ w: { dtype: 'F32', shape: [2, 2], data: new Float32Array([1, 2, 3, 4]) } });
 * ```
 * @public
 */
export function writeSafetensors(
  entries: Readonly<Record<string, SafetensorsEntry>>,
  options: SafetensorsWriteOptions = {},
): Uint8Array {
  const { header, order } = layoutSafetensors('writeSafetensors', entries, options);
  const total = order.reduce((n, [, e]) => n + e.data.byteLength, header.length);
  const out = new Uint8Array(total);
  out.set(header, 0);
  let offset = header.length;
  for (const [, entry] of order) {
    out.set(entryBytes(entry), offset);
    offset += entry.data.byteLength;
  }
  return out;
}
