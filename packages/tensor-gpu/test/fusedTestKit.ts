/**
 * Shared pieces of the fused-operation tests: the PyTorch golden cases, the backend × kernel-mode
 * matrix every fused operation runs on ('fast' runs llmkit's kernel, 'engine' the composition of
 * engine operations), tolerance checks, and central finite differences.
 */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { initCompute } from '../src/compute.js';
import { ignoreOnnxRuntime } from '../src/internal/onnxruntime.js';
import { scope } from '../src/memory.js';
import * as ops from '../src/ops.js';
import type { Tensor } from '../src/tensor.js';

interface GoldenArray {
  readonly shape: number[];
  readonly values: number[];
}

/** One case of test/fixtures/fused_golden.json (see fused_golden.py). */
export interface GoldenCase {
  readonly inputs: Record<string, GoldenArray>;
  readonly output: GoldenArray;
  readonly dy: number[];
  readonly grads: Record<string, number[]>;
  readonly eps?: number;
  readonly scale?: number;
}

export const golden: Record<string, GoldenCase> = (
  JSON.parse(readFileSync(new URL('./fixtures/fused_golden.json', import.meta.url), 'utf8')) as {
    cases: Record<string, GoldenCase>;
  }
).cases;

/**
 * How a fused operation may run: llmkit's kernels with onnxruntime-node ('fast', where it is
 * installed), llmkit's JavaScript kernels alone ('portable': what a machine without
 * onnxruntime-node gets), or the engine's composition ('engine').
 */
export type KernelMode = 'fast' | 'portable' | 'engine';

/** Every backend that runs here without a GPU, in every kernel mode. */
export const HOST_MODES: readonly (readonly ['cpu' | 'wasm', KernelMode])[] = [
  ['cpu', 'fast'],
  ['cpu', 'portable'],
  ['cpu', 'engine'],
  ['wasm', 'fast'],
  ['wasm', 'portable'],
  ['wasm', 'engine'],
];

export async function useMode(backend: 'cpu' | 'wasm', mode: KernelMode): Promise<void> {
  ignoreOnnxRuntime(mode === 'portable');
  try {
    await initCompute({ backend, kernels: mode === 'engine' ? 'engine' : 'fast', threads: 1 });
  } finally {
    ignoreOnnxRuntime(false);
  }
}

/** |actual − expected| ≤ atol + rtol·|expected| elementwise, reporting the first failure. */
export function expectClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  atol: number,
  rtol: number,
  label = '',
): void {
  expect(actual.length, `${label} length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) {
      expect.fail(
        `${label}[${i}]: ${a} differs from ${e} by ${Math.abs(a - e)} (atol ${atol}, rtol ${rtol})`,
      );
    }
  }
}

/** Values and gradients of Σ(dy · f(inputs)) with respect to each input, on the current backend. */
export function valueAndGrads(
  f: (...inputs: Tensor[]) => Tensor,
  inputs: readonly Tensor[],
  dy: ArrayLike<number>,
): { value: Float32Array; grads: Float32Array[] } {
  return scope(() => {
    const value = f(...inputs);
    const upstream = ops.tensor(Float32Array.from(dy), value.shape);
    const grads = ops.grads((...xs: Tensor[]) => ops.sum(ops.mul(f(...xs), upstream)))([...inputs]);
    return {
      value: value.dataSync() as Float32Array,
      grads: grads.map((g) => g.dataSync() as Float32Array),
    };
  });
}

/**
 * Central differences of the scalar Σ(dy · f(x)) with respect to input `which`, from float32
 * evaluations at ±h (accurate to O(h²) plus float32 rounding / h).
 */
export function finiteDifferences(
  f: (...inputs: Tensor[]) => Tensor,
  inputs: readonly Float32Array[],
  shapes: readonly number[][],
  which: number,
  dy: ArrayLike<number>,
  h = 1e-2,
): Float64Array {
  const value = (xs: readonly Float32Array[]): number =>
    scope(() => {
      const out = f(...xs.map((x, i) => ops.tensor(x, shapes[i])));
      return ops.sum(ops.mul(out, ops.tensor(Float32Array.from(dy), out.shape))).dataSync()[0]!;
    });
  const x0 = inputs[which]!;
  return Float64Array.from(x0, (_, i) => {
    const plus = inputs.map((x) => Float32Array.from(x));
    const minus = inputs.map((x) => Float32Array.from(x));
    plus[which]![i]! += h;
    minus[which]![i]! -= h;
    // The step actually taken, after rounding to float32.
    return (value(plus) - value(minus)) / (plus[which]![i]! - minus[which]![i]!);
  });
}

/**
 * Why WebGPU cannot run here ('' when it can): tests that need an adapter skip with this
 * message, and only where none exists (CI installs Mesa's lavapipe so that one does).
 */
export async function webGpuUnavailable(): Promise<string> {
  try {
    await initCompute({ backend: 'webgpu' });
    return '';
  } catch (error) {
    return (error as Error).message;
  }
}
