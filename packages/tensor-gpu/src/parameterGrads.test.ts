import { beforeAll, describe, expect, it } from 'vitest';
import { initCompute } from './compute.js';
import { dispose, leakCheck, scope } from './memory.js';
import * as ops from './ops.js';
import { parameterGrads } from './parameterGrads.js';
import type { Scalar } from './tensor.js';

beforeAll(async () => {
  await initCompute({ backend: 'cpu' });
});

describe('parameterGrads', () => {
  it('keys gradients by parameter name and fills unused parameters with zeros', () => {
    const params = scope(() => ({
      'layer.weight': ops.variable(ops.tensor([1, 2])),
      'layer.bias': ops.variable(ops.tensor([3])),
      unused: ops.variable(ops.zeros([2, 2])),
    }));
    const { value, grads } = leakCheck(() =>
      parameterGrads(
        () => ops.sum(ops.add(ops.square(params['layer.weight']), params['layer.bias'])) as Scalar,
        params,
      ),
    );
    expect(value.dataSync()[0]).toBe(1 + 4 + 3 * 2);
    expect(Object.keys(grads)).toEqual(['layer.weight', 'layer.bias', 'unused']);
    expect(Array.from(grads['layer.weight']!.dataSync())).toEqual([2, 4]);
    expect(Array.from(grads['layer.bias']!.dataSync())).toEqual([2]);
    expect(Array.from(grads.unused!.dataSync())).toEqual([0, 0, 0, 0]);
    dispose([params, value, grads]);
  });

  it('requires a scalar loss', () => {
    const params = { w: scope(() => ops.variable(ops.tensor([1, 2]))) };
    expect(() => parameterGrads(() => ops.square(params.w) as unknown as Scalar, params)).toThrow(
      /parameterGrads\(loss\): the loss must return a scalar tensor, received shape \[2\]/,
    );
    dispose(params);
  });
});
