/**
 * 16-bit floats on typed arrays, for storage and transfer (safetensors f16/bf16 checkpoints,
 * halving what crosses a wire). The engine has no 16-bit tensor dtype: tensors are float32, so
 * 16-bit data is widened on load and narrowed on save with these functions.
 *
 * - float16 (IEEE 754 binary16): 1 sign, 5 exponent, 10 fraction bits; max 65504, subnormals
 *   down to 2⁻²⁴. Narrowing rounds to nearest, ties to even; values ≥ 65520 become ±Infinity;
 *   NaN keeps its sign and top payload bits (numpy's `npy_floatbits_to_halfbits`).
 * - bfloat16: the top 16 bits of a float32 (same exponent range, 7 fraction bits). Narrowing
 *   rounds to nearest even; every NaN becomes 0x7FC0, as PyTorch's `round_to_nearest_even`
 *   (c10/util/BFloat16.h).
 *
 * Widening is exact in both cases. Data are passed as bit patterns in `Uint16Array`s.
 */
import { TensorError } from './errors.js';

function float16BitsToFloat32Bits(h: number): number {
  const sign = (h & 0x8000) << 16;
  const exponent = (h >>> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0x1f) return (sign | 0x7f800000 | (fraction << 13)) >>> 0;
  if (exponent !== 0) return (sign | ((exponent + 112) << 23) | (fraction << 13)) >>> 0;
  if (fraction === 0) return sign >>> 0;
  // Subnormal: normalise the fraction; value = fraction · 2⁻²⁴.
  let shift = 0;
  let f = fraction;
  while ((f & 0x400) === 0) {
    f <<= 1;
    shift++;
  }
  return (sign | ((113 - shift) << 23) | ((f & 0x3ff) << 13)) >>> 0;
}

function float32BitsToFloat16Bits(x: number): number {
  const sign = (x >>> 16) & 0x8000;
  const exponent = (x >>> 23) & 0xff;
  const fraction = x & 0x7fffff;
  if (exponent === 0xff) {
    if (fraction === 0) return sign | 0x7c00;
    const payload = fraction >>> 13;
    return sign | 0x7c00 | (payload === 0 ? 1 : payload);
  }
  const e = exponent - 112; // rebias 127 → 15
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    // float16 subnormal (or zero): unit 2⁻²⁴, so keep fraction·2^(e−14) with the implicit bit.
    if (e < -10) return sign;
    const full = fraction | 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    const remainder = full & ((1 << shift) - 1);
    let m = full >>> shift;
    if (remainder > half || (remainder === half && (m & 1) === 1)) m++;
    return sign | m;
  }
  const remainder = x & 0x1fff;
  let h = sign | (e << 10) | (fraction >>> 13);
  // Round to nearest even; a carry may ripple into the exponent (up to Infinity), as it should.
  if (remainder > 0x1000 || (remainder === 0x1000 && (h & 1) === 1)) h++;
  return h;
}

let widenTable: Uint32Array | undefined;

function output<T extends Uint16Array | Float32Array>(
  fn: string,
  length: number,
  out: T | undefined,
  make: (n: number) => T,
  kind: string,
): T {
  if (out === undefined) return make(length);
  if (out.length !== length) {
    throw new TensorError({
      code: 'SHAPE_MISMATCH',
      fn,
      argument: 'out',
      detail: `expected a ${kind} of length ${length} (one per input), received length ${out.length}.`,
    });
  }
  return out;
}

function input<T>(fn: string, values: unknown, type: { new (n: number): T; name: string }): T {
  if (!(values instanceof type)) {
    throw new TensorError({
      code: 'INVALID_ARGUMENT',
      fn,
      argument: 'values',
      detail: `expected a ${type.name}, received ${values === null ? 'null' : ((values as object)?.constructor?.name ?? typeof values)}.`,
    });
  }
  return values;
}

/**
 * float32 → float16 bit patterns, rounding to nearest even.
 * @example
 * ```ts
 * float32ToFloat16(new Float32Array([1, 65520, 1e-8])); // Uint16Array [0x3c00, 0x7c00, 0]
 * ```
 * @public
 */
export function float32ToFloat16(values: Float32Array, out?: Uint16Array): Uint16Array {
  const fn = 'float32ToFloat16';
  const source = new Uint32Array(
    input(fn, values, Float32Array).buffer,
    values.byteOffset,
    values.length,
  );
  const result = output(fn, values.length, out, (n) => new Uint16Array(n), 'Uint16Array');
  for (let i = 0; i < source.length; i++) result[i] = float32BitsToFloat16Bits(source[i]!);
  return result;
}

/** float16 bit patterns → float32, exactly (NaN payloads kept). @public */
export function float16ToFloat32(values: Uint16Array, out?: Float32Array): Float32Array {
  const fn = 'float16ToFloat32';
  input(fn, values, Uint16Array);
  const result = output(fn, values.length, out, (n) => new Float32Array(n), 'Float32Array');
  if (widenTable === undefined) {
    widenTable = new Uint32Array(65536);
    for (let h = 0; h < 65536; h++) widenTable[h] = float16BitsToFloat32Bits(h);
  }
  const target = new Uint32Array(result.buffer, result.byteOffset, result.length);
  for (let i = 0; i < values.length; i++) target[i] = widenTable[values[i]!]!;
  return result;
}

/** float32 → bfloat16 bit patterns, rounding to nearest even (NaN → 0x7FC0). @public */
export function float32ToBfloat16(values: Float32Array, out?: Uint16Array): Uint16Array {
  const fn = 'float32ToBfloat16';
  const source = new Uint32Array(
    input(fn, values, Float32Array).buffer,
    values.byteOffset,
    values.length,
  );
  const result = output(fn, values.length, out, (n) => new Uint16Array(n), 'Uint16Array');
  for (let i = 0; i < source.length; i++) {
    const x = source[i]!;
    const nan = (x & 0x7f800000) === 0x7f800000 && (x & 0x7fffff) !== 0;
    result[i] = nan ? 0x7fc0 : (x + 0x7fff + ((x >>> 16) & 1)) >>> 16;
  }
  return result;
}

/** bfloat16 bit patterns → float32, exactly. @public */
export function bfloat16ToFloat32(values: Uint16Array, out?: Float32Array): Float32Array {
  const fn = 'bfloat16ToFloat32';
  input(fn, values, Uint16Array);
  const result = output(fn, values.length, out, (n) => new Float32Array(n), 'Float32Array');
  const target = new Uint32Array(result.buffer, result.byteOffset, result.length);
  for (let i = 0; i < values.length; i++) target[i] = values[i]! << 16;
  return result;
}
