import { beforeAll, describe, expect, it } from 'vitest';
import { expectClose, golden } from '../test/goldenOptimizers.js';
import { clipGradNorm } from './clipGradNorm.js';
import { initCompute } from './compute.js';
import { TensorError } from './errors.js';
import { dispose, leakCheck } from './memory.js';
import * as ops from './ops.js';

interface ClipCase {
  maxNorm: number;
  normType: number | 'inf';
  totalNorm: number;
  w: number[];
  b: number[];
}
const cases = (golden as unknown as { clipGradNorm: ClipCase[] }).clipGradNorm;

describe.each(['cpu', 'wasm'] as const)('clipGradNorm on %s', (backend) => {
  beforeAll(async () => {
    await initCompute({ backend });
  });

  it.each(cases)('equals torch clip_grad_norm_ (max $maxNorm, p = $normType)', (c) => {
    const grads = {
      w: ops.tensor(golden.grads[0]!.w, [3, 4]),
      b: ops.tensor(golden.grads[0]!.b, [4]),
    };
    const normType = c.normType === 'inf' ? Number.POSITIVE_INFINITY : c.normType;
    const result = leakCheck(() => clipGradNorm(grads, c.maxNorm, { normType }));
    expect(result.totalNorm).toBeCloseTo(c.totalNorm, 4);
    expectClose(result.gradients.w.dataSync(), c.w, 'w');
    expectClose(result.gradients.b.dataSync(), c.b, 'b');
    dispose([grads, result.gradients]);
  });

  it('reports and optionally refuses a non-finite norm', () => {
    const grads = { w: ops.tensor([1, Number.NaN]) };
    const result = clipGradNorm(grads, 1);
    expect(result.totalNorm).toBeNaN();
    expect(() => clipGradNorm(grads, 1, { errorIfNonfinite: true })).toThrow(
      /clipGradNorm\(gradients\): the total gradient norm is NaN/,
    );
    dispose([grads, result.gradients]);
  });

  it('rejects int gradients and bad norm types', () => {
    const ints = { w: ops.tensor([1, 2], [2], 'int32') };
    expect(() => clipGradNorm(ints, 1)).toThrow(TensorError);
    expect(() => clipGradNorm({}, 1, { normType: -2 })).toThrow(/options\.normType/);
    dispose(ints);
  });
});
