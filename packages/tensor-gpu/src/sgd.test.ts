import { describe, expect, it } from 'vitest';
import { casesOf, replayOptimizer, replayReference } from '../test/goldenOptimizers.js';
import { initCompute } from './compute.js';
import { leakCheck } from './memory.js';
import * as ops from './ops.js';
import { Sgd, sgdStepReference } from './sgd.js';

describe.each(casesOf('sgd'))('Sgd against torch.optim.SGD: %s', (_, golden) => {
  const { momentum = 0, dampening = 0 } = golden.options as Record<string, number>;
  const nesterov = golden.options.nesterov === true;

  it('the typed-array reference', () => {
    replayReference(golden, 1, (p, g, [buffer], step, learningRate, weightDecay) =>
      sgdStepReference(p, g, buffer!, step, {
        learningRate,
        momentum,
        dampening,
        nesterov,
        weightDecay,
      }),
    );
  });

  it.each(['cpu', 'wasm'] as const)('the tensor optimizer on %s', async (backend) => {
    await initCompute({ backend });
    const weightDecay = golden.options.weightDecay as number;
    leakCheck(() =>
      replayOptimizer(
        golden,
        (p) => new Sgd(p, { learningRate: 0, weightDecay, momentum, dampening, nesterov }),
      ),
    );
  });
});

describe('Sgd options', () => {
  it('refuses Nesterov without momentum or with dampening, as torch does', async () => {
    await initCompute({ backend: 'cpu' });
    const p = { w: ops.variable(ops.zeros([2])) };
    expect(() => new Sgd(p, { learningRate: 0.1, nesterov: true })).toThrow(
      /Sgd\(options\.nesterov\): Nesterov momentum requires momentum > 0 and dampening 0/,
    );
    expect(
      () => new Sgd(p, { learningRate: 0.1, nesterov: true, momentum: 0.9, dampening: 0.1 }),
    ).toThrow(/dampening 0\.1/);
    p.w.dispose();
  });

  it('keeps no state without momentum', async () => {
    await initCompute({ backend: 'cpu' });
    const p = { w: ops.variable(ops.zeros([2])) };
    const sgd = new Sgd(p, { learningRate: 0.5 });
    const g = ops.tensor([1, -2]);
    sgd.step({ w: g });
    expect(Array.from(p.w.dataSync())).toEqual([-0.5, 1]);
    expect((await sgd.state()).parameters).toEqual({ w: { step: 1, slots: {} } });
    g.dispose();
    p.w.dispose();
  });
});
