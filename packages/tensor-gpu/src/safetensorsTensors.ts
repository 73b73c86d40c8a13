/**
 * safetensors entries ⇄ engine tensors. The engine holds float32, int32 and bool, so loading
 * widens 16-bit floats exactly, narrows F64 to float32 (rounding) and integer types to int32
 * (refusing values int32 cannot hold); saving writes float tensors as F32, F16 or BF16.
 */
import { TensorError } from './errors.js';
import {
  bfloat16ToFloat32,
  float16ToFloat32,
  float32ToBfloat16,
  float32ToFloat16,
} from './halfPrecision.js';
import { tf } from './internal/engine.js';
import { readSafetensors, type SafetensorsWriteOptions, writeSafetensors } from './safetensors.js';
import type { SafetensorsEntry, SafetensorsReadOptions } from './safetensorsHeader.js';
import type { NamedTensors, Tensor } from './tensor.js';

type TypedArrayConstructor<T> = {
  new (buffer: ArrayBufferLike, byteOffset?: number, length?: number): T;
  BYTES_PER_ELEMENT: number;
};

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** A typed view of an entry's bytes, copied only when misaligned. */
function view<T>(fn: string, entry: SafetensorsEntry, Type: TypedArrayConstructor<T>): T {
  if (!LITTLE_ENDIAN) {
    throw new TensorError({
      code: 'UNAVAILABLE',
      fn,
      detail: 'safetensors data are little-endian and this platform is big-endian.',
    });
  }
  const bytes = new Uint8Array(entry.data.buffer, entry.data.byteOffset, entry.data.byteLength);
  const n = bytes.byteLength / Type.BYTES_PER_ELEMENT;
  return bytes.byteOffset % Type.BYTES_PER_ELEMENT === 0
    ? new Type(bytes.buffer, bytes.byteOffset, n)
    : new Type(bytes.slice().buffer, 0, n);
}

function toInt32(fn: string, name: string, values: ArrayLike<number | bigint>): Int32Array {
  const out = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = Number(values[i]!);
    if (v < -2147483648 || v > 2147483647) {
      throw new TensorError({
        code: 'DTYPE_MISMATCH',
        fn,
        argument: name,
        detail: `element ${i} is ${values[i]}, outside int32, the engine's only integer type.`,
      });
    }
    out[i] = v;
  }
  return out;
}

/**
 * An engine tensor holding an entry's values (see the module note for type conversions).
 * @public
 */
export function tensorFromSafetensors(entry: SafetensorsEntry, name = 'tensor'): Tensor {
  return tensorFromEntry(entry, name, true);
}

/**
 * {@link tensorFromSafetensors}; with `copy` false, F32 and I32 data already in a buffer of
 * their own (as the file reader makes) become the tensor's without another copy.
 * @internal
 */
export function tensorFromEntry(entry: SafetensorsEntry, name: string, copy: boolean): Tensor {
  const fn = 'tensorFromSafetensors';
  const shape = [...entry.shape];
  switch (entry.dtype) {
    case 'F32': {
      const values = view(fn, entry, Float32Array);
      return tf.tensor(copy ? values.slice() : values, shape, 'float32');
    }
    case 'F16':
      return tf.tensor(float16ToFloat32(view(fn, entry, Uint16Array)), shape, 'float32');
    case 'BF16':
      return tf.tensor(bfloat16ToFloat32(view(fn, entry, Uint16Array)), shape, 'float32');
    case 'F64':
      return tf.tensor(Float32Array.from(view(fn, entry, Float64Array)), shape, 'float32');
    case 'I32': {
      const values = view(fn, entry, Int32Array);
      return tf.tensor(copy ? values.slice() : values, shape, 'int32');
    }
    case 'I16':
      return tf.tensor(Int32Array.from(view(fn, entry, Int16Array)), shape, 'int32');
    case 'I8':
      return tf.tensor(Int32Array.from(view(fn, entry, Int8Array)), shape, 'int32');
    case 'U16':
      return tf.tensor(Int32Array.from(view(fn, entry, Uint16Array)), shape, 'int32');
    case 'U8':
      return tf.tensor(Int32Array.from(view(fn, entry, Uint8Array)), shape, 'int32');
    case 'U32':
      return tf.tensor(toInt32(fn, name, view(fn, entry, Uint32Array)), shape, 'int32');
    case 'I64':
      return tf.tensor(toInt32(fn, name, view(fn, entry, BigInt64Array)), shape, 'int32');
    case 'U64':
      return tf.tensor(toInt32(fn, name, view(fn, entry, BigUint64Array)), shape, 'int32');
    case 'BOOL': {
      const bytes = view(fn, entry, Uint8Array);
      const bad = bytes.findIndex((b) => b > 1);
      if (bad >= 0) {
        throw new TensorError({
          code: 'CORRUPT_DATA',
          fn,
          argument: name,
          detail: `BOOL element ${bad} is ${bytes[bad]}; booleans are stored as 0 or 1.`,
        });
      }
      return tf.tensor(Uint8Array.from(bytes), shape, 'bool');
    }
  }
}

/** How float tensors are stored. @public */
export type SafetensorsFloatDtype = 'F32' | 'F16' | 'BF16';

/**
 * A tensor's values as a safetensors entry: float32 as `floatDtype`, int32 as I32, bool as BOOL.
 * @public
 */
export async function safetensorsFromTensor(
  tensor: Tensor,
  floatDtype: SafetensorsFloatDtype = 'F32',
): Promise<SafetensorsEntry> {
  const shape = [...tensor.shape];
  if (tensor.dtype === 'float32') {
    const values = (await tensor.data()) as Float32Array;
    if (floatDtype === 'F16') return { dtype: 'F16', shape, data: float32ToFloat16(values) };
    if (floatDtype === 'BF16') return { dtype: 'BF16', shape, data: float32ToBfloat16(values) };
    return { dtype: 'F32', shape, data: values };
  }
  if (tensor.dtype === 'int32')
    return { dtype: 'I32', shape, data: (await tensor.data()) as Int32Array };
  if (tensor.dtype === 'bool')
    return { dtype: 'BOOL', shape, data: (await tensor.data()) as Uint8Array };
  throw new TensorError({
    code: 'DTYPE_MISMATCH',
    fn: 'safetensorsFromTensor',
    argument: 'tensor',
    detail: `tensors of dtype ${tensor.dtype} cannot be stored; use float32, int32 or bool.`,
  });
}

/** Options of {@link loadSafetensors}. @public */
export interface LoadSafetensorsOptions extends SafetensorsReadOptions {
  /** Load only these tensors (all when absent); a missing name is an error. */
  readonly names?: readonly string[];
}

/** Tensors and metadata loaded from a file. @public */
export interface LoadedSafetensors {
  readonly tensors: NamedTensors;
  readonly metadata: Readonly<Record<string, string>>;
}

/**
 * Loads tensors from a safetensors file held in memory (e.g. fetched in a browser).
 * @public
 */
export function loadSafetensors(
  bytes: Uint8Array,
  options: LoadSafetensorsOptions = {},
): LoadedSafetensors {
  const contents = readSafetensors(bytes, options);
  const names = options.names ?? [...contents.tensors.keys()];
  const tensors: NamedTensors = {};
  try {
    for (const name of names) {
      const entry = contents.tensors.get(name);
      if (entry === undefined) {
        throw new TensorError({
          code: 'INVALID_ARGUMENT',
          fn: 'loadSafetensors',
          argument: 'options.names',
          detail: `the file has no tensor named ${JSON.stringify(name)}.`,
        });
      }
      tensors[name] = tensorFromEntry(entry, name, true);
    }
  } catch (error) {
    tf.dispose(Object.values(tensors));
    throw error;
  }
  return { tensors, metadata: contents.metadata };
}

/** Options of {@link saveSafetensors}. @public */
export interface SaveSafetensorsOptions extends SafetensorsWriteOptions {
  /** Storage type of float tensors. @defaultValue `'F32'` */
  readonly floatDtype?: SafetensorsFloatDtype;
}

/** Serialises engine tensors to safetensors bytes (reads them from the device). @public */
export async function saveSafetensors(
  tensors: NamedTensors,
  options: SaveSafetensorsOptions = {},
): Promise<Uint8Array> {
  return writeSafetensors(await entriesFromTensors(tensors, options.floatDtype), options);
}

/** Every tensor as an entry. @internal */
export async function entriesFromTensors(
  tensors: NamedTensors,
  floatDtype: SafetensorsFloatDtype = 'F32',
): Promise<Record<string, SafetensorsEntry>> {
  const entries: Record<string, SafetensorsEntry> = {};
  for (const [name, tensor] of Object.entries(tensors))
    entries[name] = await safetensorsFromTensor(tensor, floatDtype);
  return entries;
}
