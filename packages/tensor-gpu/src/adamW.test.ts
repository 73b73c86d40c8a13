import { describe, expect, it } from 'vitest';
import { casesOf, replayOptimizer, replayReference } from '../test/goldenOptimizers.js';
import { AdamW, adamWStepReference } from './adamW.js';
import { initCompute } from './compute.js';
import { TensorError } from './errors.js';
import { leakCheck } from './memory.js';
import * as ops from './ops.js';

describe.each(casesOf('adamw'))('AdamW against torch.optim.AdamW: %s', (_, golden) => {
  const { beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8 } = golden.options as Record<string, number>;

  it('the typed-array reference', () => {
    replayReference(golden, 2, (p, g, [m, v], step, learningRate, weightDecay) =>
      adamWStepReference(p, g, m!, v!, step, { learningRate, beta1, beta2, epsilon, weightDecay }),
    );
  });

  it.each(['cpu', 'wasm'] as const)('the tensor optimizer on %s', async (backend) => {
    await initCompute({ backend });
    const weightDecay = golden.options.weightDecay as number;
    leakCheck(() =>
      replayOptimizer(
        golden,
        (p) => new AdamW(p, { learningRate: 0, weightDecay, beta1, beta2, epsilon }),
      ),
    );
  });
});

describe('AdamW options', () => {
  it('rejects betas outside [0, 1) and negative epsilon', async () => {
    await initCompute({ backend: 'cpu' });
    const p = { w: ops.variable(ops.zeros([2, 2])) };
    expect(() => new AdamW(p, { learningRate: 1e-3, beta2: 1 })).toThrow(
      /AdamW\(options\.beta2\): expected a decay rate in \[0, 1\), received 1/,
    );
    expect(() => new AdamW(p, { learningRate: 1e-3, epsilon: -1 })).toThrow(TensorError);
    expect(() => new AdamW(p, { learningRate: Number.NaN })).toThrow(/options\.learningRate/);
    p.w.dispose();
  });
});
