/**
 * Shared test helpers: the backends every test body runs on, leak-checked evaluation of tensor
 * code into plain arrays, closeness with stated tolerances, the golden fixtures, and central
 * finite differences of the float64 reference implementations.
 */
import { readFileSync } from 'node:fs';
import {
  dispose,
  initCompute,
  leakCheck,
  ops,
  type Tensor,
  type TensorContainer,
} from '@llmkit/tensor-gpu';
import { beforeAll, describe, expect } from 'vitest';

/** Backends that run in plain Node; every test body runs on each. */
export const BACKENDS = ['cpu', 'wasm'] as const;

/** `describe` once per backend, with the backend started before the block's tests. */
export function describeBackends(title: string, body: () => void): void {
  describe.each(BACKENDS)(`${title} on %s`, (backend) => {
    beforeAll(async () => {
      await initCompute({ backend });
    });
    body();
  });
}

type Numbers = number[];

/** Reads every tensor of a result into arrays, disposing them; other fields pass through. */
function read<T>(value: T): unknown {
  if (value !== null && typeof value === 'object' && 'dataSync' in (value as object)) {
    const t = value as unknown as Tensor;
    const data = Array.from(t.dataSync());
    dispose(t);
    return data;
  }
  if (Array.isArray(value)) return value.map(read);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, read(v)]));
  }
  return value;
}

/** Tensor fields replaced by their values as number arrays. */
export type Read<T> = T extends Tensor
  ? Numbers
  : T extends readonly (infer U)[]
    ? Read<U>[]
    : T extends object
      ? { [K in keyof T]: Read<T[K]> }
      : T;

/**
 * Runs `fn` under tensor-gpu's leak check (inputs it creates count as leaks unless freed), then
 * returns its result with every tensor read into an array and freed.
 */
export function run<T>(fn: () => T): Read<T> {
  const result = leakCheck(fn as () => TensorContainer);
  return read(result) as Read<T>;
}

/**
 * The gradient of `loss(...inputs)` with respect to every input, each read into an array; the
 * input tensors are made from the arrays and freed. Leak-checked.
 */
export function gradients(
  inputs: readonly { values: ArrayLike<number>; shape: number[] }[],
  loss: (...xs: Tensor[]) => Tensor,
): Numbers[] {
  const tensors = inputs.map((x) => ops.tensor(Float32Array.from(x.values), x.shape));
  try {
    const grads = leakCheck(() => ops.grads((...xs: Tensor[]) => loss(...xs))(tensors));
    return grads.map((g) => read(g) as Numbers);
  } finally {
    dispose(tensors);
  }
}

/** |actual − expected| ≤ atol + rtol·|expected| elementwise, with the first offender named. */
export function expectClose(
  actual: ArrayLike<number> | number,
  expected: ArrayLike<number> | number,
  { rtol = 1e-5, atol = 1e-6, label = '' }: { rtol?: number; atol?: number; label?: string } = {},
): void {
  const a = typeof actual === 'number' ? [actual] : Array.from(actual);
  const e = typeof expected === 'number' ? [expected] : Array.from(expected);
  expect(a.length, `${label} length`).toBe(e.length);
  for (let i = 0; i < e.length; i++) {
    const tolerance = atol + rtol * Math.abs(e[i]!);
    if (!(Math.abs(a[i]! - e[i]!) <= tolerance)) {
      expect.fail(`${label}[${i}]: ${a[i]} differs from ${e[i]} by more than ${tolerance}`);
    }
  }
}

/** The golden fixtures produced by `test/fixtures/make_fixtures.py` (PyTorch, float64). */
// biome-ignore lint/suspicious/noExplicitAny: JSON fixtures, shaped per case in each test.
export const golden: Record<string, any> = JSON.parse(
  readFileSync(new URL('./fixtures/losses.json', import.meta.url), 'utf8'),
);

/**
 * Central differences of a scalar float64 function at `x`, step h·max(1, |x_i|).
 */
export function finiteDifferences(
  f: (x: Float64Array) => number,
  x: ArrayLike<number>,
  h = 1e-5,
): Float64Array {
  const point = Float64Array.from(x);
  return point.map((xi, i) => {
    const step = h * Math.max(1, Math.abs(xi));
    point[i] = xi + step;
    const up = f(point);
    point[i] = xi - step;
    const down = f(point);
    point[i] = xi;
    return (up - down) / (2 * step);
  });
}

/** Float32-representable numbers for fast-check (so tensor and reference see the same input). */
export const f32 = (x: number): number => Math.fround(x);
