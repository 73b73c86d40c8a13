import { dispose, ops, scope } from '@llmkit/tensor-gpu';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { describeBackends, expectClose, golden, run } from '../test/helpers.js';
import { grpoAdvantages } from './grpoAdvantages.js';
import { grpoAdvantagesReference } from './reference/policyGradient.js';

interface Case {
  name: string;
  rewards: number[];
  groupSize: number;
  scaleRewards: 'group' | 'batch' | 'none';
  value: number[];
}

describeBackends('grpoAdvantages', () => {
  it.each((golden.grpoAdvantages as Case[]).map((c) => [c.name, c] as const))(
    "matches TRL's GRPOTrainer: scale %s",
    (_, c) => {
      const rewards = ops.tensor1d(c.rewards);
      const result = run(() =>
        grpoAdvantages(rewards, { groupSize: c.groupSize, scaleRewards: c.scaleRewards }),
      );
      expectClose(result, c.value, { atol: 1e-5 });
      dispose(rewards);
    },
  );

  it('centres every group and equals the float64 reference (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 2, max: 6 }),
        fc.constantFrom('group', 'batch', 'none' as const),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        (groups, g, scaleRewards, seed) => {
          const values = Array.from({ length: groups * g }, (_, i) => ((seed >> (i % 24)) & 3) / 2);
          const rewards = ops.tensor1d(values);
          const out = run(() => grpoAdvantages(rewards, { groupSize: g, scaleRewards }));
          expectClose(out, grpoAdvantagesReference(values, g, scaleRewards), {
            rtol: 1e-5,
            atol: 1e-5,
          });
          for (let k = 0; k < groups; k++) {
            expectClose(
              out.slice(k * g, (k + 1) * g).reduce((a, b) => a + b, 0),
              0,
              { atol: 1e-4 },
            );
          }
          dispose(rewards);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('wants whole groups of at least two', () =>
    scope(() => {
      expect(() => grpoAdvantages(ops.tensor1d([1, 2, 3]), { groupSize: 2 })).toThrow(
        /multiple of groupSize 2, received shape \[3\]/,
      );
      expect(() => grpoAdvantages(ops.tensor1d([1, 2]), { groupSize: 1 })).toThrow(
        /groupSize.*≥ 2/,
      );
    }));
});
