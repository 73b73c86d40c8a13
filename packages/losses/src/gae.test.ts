import { dispose, ops } from '@llmkit/tensor-gpu';
import fc from 'fast-check';
import { it } from 'vitest';
import { describeBackends, expectClose, f32, golden, run } from '../test/helpers.js';
import { gae } from './gae.js';
import { gaeReference } from './reference/policyGradient.js';

interface Case {
  name: string;
  shape: [number, number];
  rewards: number[];
  values: number[];
  mask: number[];
  gamma: number;
  lambda: number;
  advantages: number[];
  returns: number[];
}

describeBackends('gae', () => {
  it.each((golden.gae as Case[]).map((c) => [c.name, c] as const))(
    "matches TRL's backward recursion: %s",
    (_, c) => {
      const [b, t] = c.shape;
      const rewards = ops.tensor2d(c.rewards, [b, t]);
      const values = ops.tensor2d(c.values, [b, t]);
      const mask = ops.tensor2d(c.mask, [b, t], 'bool');
      const result = run(() => gae(rewards, values, mask, { gamma: c.gamma, lambda: c.lambda }));
      expectClose(result.advantages, c.advantages, { atol: 1e-6 });
      expectClose(result.returns, c.returns, { atol: 1e-6 });
      dispose([rewards, values, mask]);
    },
  );

  it('equals the float64 loop for random masks, lengths and discounts, including T = 1 (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 9 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        (b, t, gamma, lambda, seed) => {
          const n = b * t;
          const r = Array.from({ length: n }, (_, i) => f32(Math.cos(seed + i)));
          const v = Array.from({ length: n }, (_, i) => f32(Math.sin(seed * 3 + i)));
          const m = Array.from({ length: n }, (_, i) => ((seed >> (i % 20)) & 1) as number);
          const [rt, vt] = [r, v].map((x) => ops.tensor2d(x, [b, t]));
          const mt = ops.tensor2d(m, [b, t], 'int32');
          const result = run(() => gae(rt!, vt!, mt, { gamma, lambda }));
          const expected = gaeReference(r, v, m, b, gamma, lambda);
          expectClose(result.advantages, expected.advantages, { rtol: 1e-5, atol: 1e-5 });
          expectClose(result.returns, expected.returns, { rtol: 1e-5, atol: 1e-5 });
          dispose([rt!, vt!, mt]);
        },
      ),
      { numRuns: 40 },
    );
  });
});
