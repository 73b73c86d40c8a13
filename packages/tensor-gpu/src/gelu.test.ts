/**
 * gelu: the float64 reference against PyTorch; the fused kernels (cpu, wasm) and the engine
 * composition against the reference, forward and gradient; the gradient against finite
 * differences; no tensor left behind.
 */
import { Random } from '@llmkit/numeric';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  expectClose,
  finiteDifferences,
  golden,
  HOST_MODES,
  useMode,
  valueAndGrads,
} from '../test/fusedTestKit.js';
import { gelu } from './gelu.js';
import { erfPrecise, geluGradReference, geluReference } from './kernels/gelu.js';
import { leakCheck } from './memory.js';
import * as ops from './ops.js';

const g = golden.gelu!;

describe('gelu reference', () => {
  it('matches PyTorch in float64, value and gradient', () => {
    const x = g.inputs.x!.values;
    expectClose(geluReference(x), g.output.values, 1e-12, 1e-12, 'gelu');
    expectClose(geluGradReference(g.dy, x), g.grads.x!, 1e-12, 1e-12, 'dgelu');
  });

  it('erfPrecise matches known values across the series/fraction switch', () => {
    // erf(0.5), erf(2), erf(3), erf(3.5) from A&S Table 7.1 / Wolfram.
    expect(erfPrecise(0.5)).toBeCloseTo(0.5204998778130465, 14);
    expect(erfPrecise(2)).toBeCloseTo(0.9953222650189527, 14);
    expect(erfPrecise(-3)).toBeCloseTo(-0.9999779095030014, 14);
    expect(erfPrecise(3.5)).toBeCloseTo(0.9999992569016276, 14);
    expect(erfPrecise(10)).toBe(1);
  });
});

describe.each(HOST_MODES)('gelu on %s with %s kernels', (backend, kernels) => {
  it('matches the PyTorch golden case, value and gradient', async () => {
    await useMode(backend, kernels);
    const x = ops.tensor(g.inputs.x!.values, g.inputs.x!.shape);
    const { value, grads } = leakCheck(() => valueAndGrads((t) => gelu(t), [x], g.dy));
    x.dispose();
    expectClose(value, g.output.values, 2e-6, 2e-6, 'gelu');
    expectClose(grads[0]!, g.grads.x!, 5e-6, 5e-6, 'dx');
  });

  it('agrees with the reference on random inputs, including large and tiny values (property)', async () => {
    await useMode(backend, kernels);
    const value = fc.oneof(
      fc.float({ min: -12, max: 12, noNaN: true }),
      fc.constantFrom(0, -0, 1e-30, -40, 40),
    );
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 40 }), (xs) => {
        const x = Float32Array.from(xs);
        const dy = Float32Array.from(xs, (_, i) => (i % 3) - 1);
        const { value: y, grads } = valueAndGrads((t) => gelu(t), [ops.tensor(x)], dy);
        expectClose(y, geluReference(x), 3e-6, 3e-6, 'gelu');
        expectClose(grads[0]!, geluGradReference(dy, x), 3e-6, 3e-6, 'dx');
      }),
      { numRuns: 40 },
    );
  });

  it('has a gradient that matches finite differences', async () => {
    await useMode(backend, kernels);
    const rng = new Random(5);
    const x = Float32Array.from({ length: 12 }, () => rng.normal(0, 2));
    const dy = Float32Array.from({ length: 12 }, () => rng.normal(0, 1));
    const { grads } = valueAndGrads((t) => gelu(t), [ops.tensor(x, [3, 4])], dy);
    expectClose(
      grads[0]!,
      finiteDifferences((t) => gelu(t), [x], [[3, 4]], 0, dy),
      2e-3,
      2e-3,
      'fd',
    );
  });
});

describe('gelu input checks', () => {
  it('refuses int32 tensors and non-tensors, naming the argument', async () => {
    await useMode('cpu', 'fast');
    expect(() => gelu(ops.tensor([1, 2], [2], 'int32'))).toThrow(/gelu\(x\).*float32/);
    expect(() => gelu([1, 2] as never)).toThrow(/gelu\(x\): expected a tensor/);
  });
});
