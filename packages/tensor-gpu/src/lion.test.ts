import { describe, it } from 'vitest';
import { casesOf, replayOptimizer, replayReference } from '../test/goldenOptimizers.js';
import { initCompute } from './compute.js';
import { Lion, lionStepReference } from './lion.js';
import { leakCheck } from './memory.js';

describe.each(casesOf('lion'))('Lion against the paper rule in torch: %s', (_, golden) => {
  const { beta1 = 0.9, beta2 = 0.99 } = golden.options as Record<string, number>;

  it('the typed-array reference', () => {
    replayReference(golden, 1, (p, g, [m], _step, learningRate, weightDecay) =>
      lionStepReference(p, g, m!, { learningRate, beta1, beta2, weightDecay }),
    );
  });

  it.each(['cpu', 'wasm'] as const)('the tensor optimizer on %s', async (backend) => {
    await initCompute({ backend });
    const weightDecay = golden.options.weightDecay as number;
    leakCheck(() =>
      replayOptimizer(golden, (p) => new Lion(p, { learningRate: 0, weightDecay, beta1, beta2 })),
    );
  });
});
