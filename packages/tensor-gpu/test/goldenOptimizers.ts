/**
 * Replays the PyTorch optimizer cases of `fixtures/optimizers.json` (made by
 * `fixtures/optimizers.py`) through a typed-array reference or a tensor optimizer, and compares
 * every intermediate parameter value.
 */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { dispose, type Optimizer, ops, scope, type Variable } from '../src/index.js';

interface History {
  readonly w: number[];
  readonly b: number[];
}
export interface GoldenCase {
  readonly options: Record<string, number | boolean | string>;
  readonly learningRates: number[];
  readonly history: History[];
}
/** A learning-rate schedule traced through torch's schedulers. */
export interface GoldenSchedule {
  readonly peak: number;
  readonly min: number;
  readonly warmupSteps: number;
  readonly totalSteps: number;
  readonly stableSteps: number;
  readonly decaySteps: number;
  readonly values: number[];
}
interface Golden {
  readonly w0: number[];
  readonly b0: number[];
  readonly grads: History[];
  readonly missingBiasStep: number;
  readonly cases: Record<string, GoldenCase>;
  readonly schedules: Record<'warmupCosine' | 'warmupStableLinear', GoldenSchedule>;
}

export const golden: Golden = JSON.parse(
  readFileSync(new URL('./fixtures/optimizers.json', import.meta.url), 'utf8'),
);

export const WEIGHT = 'h.0.mlp.weight';
export const BIAS = 'h.0.mlp.bias';

/** Cases of one optimizer kind, as [name, case] pairs for `describe.each`. */
export function casesOf(kind: string): [string, GoldenCase][] {
  return Object.entries(golden.cases).filter(([, c]) => c.options.kind === kind);
}

/** float32 results against torch's float32 results: a few ulps of accumulated rounding. */
export function expectClose(actual: ArrayLike<number>, expected: number[], label: string): void {
  expect(actual.length, label).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const tolerance = 2e-6 + 2e-6 * Math.abs(expected[i]!);
    expect(Math.abs(actual[i]! - expected[i]!), `${label}[${i}]`).toBeLessThanOrEqual(tolerance);
  }
}

/**
 * Runs a reference update rule: `update(parameter, gradient, state, step, learningRate, decay)`
 * with per-parameter state arrays and per-parameter step counts, as torch keeps them.
 */
export function replayReference(
  golden_: GoldenCase,
  slots: number,
  update: (
    parameter: Float32Array,
    gradient: Float32Array,
    state: Float32Array[],
    step: number,
    learningRate: number,
    weightDecay: number,
  ) => void,
): void {
  const params = { w: Float32Array.from(golden.w0), b: Float32Array.from(golden.b0) };
  const state = {
    w: Array.from({ length: slots }, () => new Float32Array(12)),
    b: Array.from({ length: slots }, () => new Float32Array(4)),
  };
  const steps = { w: 0, b: 0 };
  const decay = golden_.options.weightDecay as number;
  golden_.history.forEach((expected, t) => {
    const lr = golden_.learningRates[t]!;
    update(params.w, Float32Array.from(golden.grads[t]!.w), state.w, ++steps.w, lr, decay);
    if (t !== golden.missingBiasStep) {
      update(params.b, Float32Array.from(golden.grads[t]!.b), state.b, ++steps.b, lr, 0);
    }
    expectClose(params.w, expected.w, `w after update ${t + 1}`);
    expectClose(params.b, expected.b, `b after update ${t + 1}`);
  });
}

/** Runs a tensor optimizer built by `make` over the same parameters and gradients. */
export function replayOptimizer(
  golden_: GoldenCase,
  make: (parameters: Record<string, Variable>) => Optimizer,
): void {
  const parameters = scope(() => ({
    [WEIGHT]: ops.variable(ops.tensor(golden.w0, [3, 4])),
    [BIAS]: ops.variable(ops.tensor(golden.b0, [4])),
  }));
  const optimizer = make(parameters);
  golden_.history.forEach((expected, t) => {
    const grads = {
      [WEIGHT]: ops.tensor(golden.grads[t]!.w, [3, 4]),
      ...(t === golden.missingBiasStep ? {} : { [BIAS]: ops.tensor(golden.grads[t]!.b, [4]) }),
    };
    optimizer.step(grads, { learningRate: golden_.learningRates[t]! });
    dispose(grads);
    expectClose(parameters[WEIGHT].dataSync(), expected.w, `w after update ${t + 1}`);
    expectClose(parameters[BIAS].dataSync(), expected.b, `b after update ${t + 1}`);
  });
  optimizer.dispose();
  dispose(parameters);
}
