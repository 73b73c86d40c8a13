/**
 * Exhaustive checks of the 16-bit conversions: every bfloat16/float16 bit pattern, every tie
 * between neighbouring 16-bit values and its float32 neighbours, and a sweep of all float32
 * exponents, hashed and compared with numpy (float16) and PyTorch (bfloat16) outputs from
 * `test/fixtures/precision.py`. The input rules below repeat that script's.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TensorError } from './errors.js';
import {
  bfloat16ToFloat32,
  float16ToFloat32,
  float32ToBfloat16,
  float32ToFloat16,
} from './halfPrecision.js';

const golden = JSON.parse(
  readFileSync(new URL('../test/fixtures/precision.json', import.meta.url), 'utf8'),
);

const sha = (array: ArrayBufferView): string =>
  createHash('sha256')
    .update(new Uint8Array(array.buffer, array.byteOffset, array.byteLength))
    .digest('hex');

const ALL16 = Uint16Array.from({ length: 65536 }, (_, i) => i);

function exponentSweep(): Uint32Array {
  const mantissas = [
    0, 1, 0x0fff, 0x1000, 0x1001, 0x1fff, 0x2000, 0x2001, 0x3fffff, 0x400000, 0x7fffff,
  ];
  const bits: number[] = [];
  for (const sign of [0, 1]) {
    for (let exponent = 0; exponent < 256; exponent++) {
      for (const m of mantissas) bits.push(((sign << 31) | (exponent << 23) | m) >>> 0);
    }
  }
  return Uint32Array.from(bits);
}

/** Independent definition of a float16 value (IEEE 754 binary16), in float64. */
function float16Value(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >>> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

describe('float16', () => {
  const widened = float16ToFloat32(ALL16);

  it('widens all 65,536 patterns exactly as numpy does', () => {
    expect(sha(widened)).toBe(golden.float16ToFloat32);
    const wrong: number[] = [];
    for (let h = 0; h < 65536; h++) {
      const expected = float16Value(h);
      if (
        !Object.is(widened[h], expected) &&
        !(Number.isNaN(expected) && Number.isNaN(widened[h]))
      ) {
        wrong.push(h);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('narrows every value, tie and tie neighbour as numpy does (round to nearest even)', () => {
    const lower = [
      ...Array.from({ length: 0x7bff }, (_, i) => i),
      ...Array.from({ length: 0x7bff }, (_, i) => 0x8000 + i),
    ];
    const mid = new Float32Array(lower.length);
    for (const [i, h] of lower.entries()) mid[i] = (float16Value(h) + float16Value(h + 1)) / 2;
    const midBits = new Uint32Array(mid.buffer);
    const inputs = new Uint32Array(65536 + 3 * midBits.length + exponentSweep().length);
    inputs.set(new Uint32Array(widened.buffer), 0);
    inputs.set(midBits, 65536);
    inputs.set(
      midBits.map((b) => b + 1),
      65536 + midBits.length,
    );
    inputs.set(
      midBits.map((b) => b - 1),
      65536 + 2 * midBits.length,
    );
    inputs.set(exponentSweep(), 65536 + 3 * midBits.length);
    expect(inputs.length).toBe(golden.float32ToFloat16.inputs);
    const narrowed = float32ToFloat16(new Float32Array(inputs.buffer));
    expect(sha(narrowed)).toBe(golden.float32ToFloat16.sha256);
  });

  it('round-trips every non-NaN pattern and keeps NaN a NaN', () => {
    const back = float32ToFloat16(widened);
    const wrong = ALL16.filter((h) =>
      Number.isNaN(widened[h]) ? !Number.isNaN(float16Value(back[h]!)) : back[h] !== h,
    );
    expect(Array.from(wrong)).toEqual([]);
  });

  it('matches numpy on named cases (max, overflow tie, underflow tie, subnormals)', () => {
    const values = Float32Array.from(golden.samples.float32 as number[]);
    expect(Array.from(float32ToFloat16(values))).toEqual(golden.samples.float16);
  });

  it('rounds any float32 to a nearest float16', () => {
    fc.assert(
      fc.property(fc.float({ noNaN: true, min: -65504, max: 65504 }), (x) => {
        const h = float32ToFloat16(Float32Array.of(x))[0]!;
        const error = Math.abs(float16Value(h) - x);
        const neighbours = [h - 1, h + 1].filter(
          (n) => (n & 0x7fff) < 0x7c00 && n >= 0 && n < 65536,
        );
        for (const n of neighbours) {
          if ((n & 0x8000) === (h & 0x8000))
            expect(error).toBeLessThanOrEqual(Math.abs(float16Value(n) - x));
        }
      }),
    );
  });
});

describe('bfloat16', () => {
  it('widens all 65,536 patterns exactly as PyTorch does', () => {
    expect(sha(bfloat16ToFloat32(ALL16))).toBe(golden.bfloat16ToFloat32);
  });

  it('narrows every pattern with each low half (ties included) as PyTorch does', () => {
    const lows = [0x0000, 0x7fff, 0x8000, 0x8001, 0xffff];
    const sweep = exponentSweep();
    const inputs = new Uint32Array(lows.length * 65536 + sweep.length);
    for (const [k, low] of lows.entries()) {
      for (let h = 0; h < 65536; h++) inputs[k * 65536 + h] = ((h << 16) | low) >>> 0;
    }
    inputs.set(sweep, lows.length * 65536);
    expect(inputs.length).toBe(golden.float32ToBfloat16.inputs);
    const values = new Float32Array(inputs.buffer);
    const narrowed = float32ToBfloat16(values);
    const kept = narrowed.filter((_, i) => !Number.isNaN(values[i]));
    expect(kept.length).toBe(golden.float32ToBfloat16.nonNaN);
    expect(sha(kept)).toBe(golden.float32ToBfloat16.sha256OfNonNaN);
    // NaN: c10's round_to_nearest_even writes the canonical quiet NaN 0x7FC0.
    const nanOutputs = new Set(narrowed.filter((_, i) => Number.isNaN(values[i])));
    expect([...nanOutputs]).toEqual([0x7fc0]);
  });

  it('matches PyTorch on named cases', () => {
    const values = Float32Array.from(golden.samples.float32 as number[]);
    expect(Array.from(float32ToBfloat16(values))).toEqual(golden.samples.bfloat16);
  });
});

describe('argument checks', () => {
  it('names the argument and the fix', () => {
    expect(() => float32ToFloat16([1, 2] as unknown as Float32Array)).toThrow(
      /float32ToFloat16\(values\): expected a Float32Array, received Array/,
    );
    expect(() => bfloat16ToFloat32(new Uint16Array(3), new Float32Array(2))).toThrow(TensorError);
    expect(() => float16ToFloat32(new Uint16Array(3), new Float32Array(2))).toThrow(
      /float16ToFloat32\(out\): expected a Float32Array of length 3 \(one per input\), received length 2/,
    );
  });

  it('writes into a given output and reads subarray views at their offset', () => {
    const big = new Float32Array([9, 1, 2, 9]);
    const out = new Uint16Array(2);
    expect(float32ToFloat16(big.subarray(1, 3), out)).toBe(out);
    expect(Array.from(float16ToFloat32(out))).toEqual([1, 2]);
  });
});
