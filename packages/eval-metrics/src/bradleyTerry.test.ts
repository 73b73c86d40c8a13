import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fixture } from '../test/fixtures.js';
import { type Battle, BattleCounts } from './battles.js';
import { bradleyTerry } from './bradleyTerry.js';

interface ArenaFixture {
  battles: Battle[];
  bradleyTerry: Record<string, number>;
  bradleyTerryGradientNorm: number;
  fastchatDefault: Record<string, number>;
  sklearnLogistic: Record<string, number>;
}

const golden = fixture<ArenaFixture>('arena.json');

const battleArb = (models: number) =>
  fc
    .record({
      a: fc.nat({ max: models - 1 }),
      offset: fc.integer({ min: 1, max: models - 1 }),
      winner: fc.constantFrom('model_a', 'model_b', 'tie', 'tie (bothbad)' as const),
    })
    .map(
      ({ a, offset, winner }): Battle => ({
        model_a: `m${a}`,
        model_b: `m${(a + offset) % models}`,
        winner: winner as Battle['winner'],
      }),
    );

describe('bradleyTerry', () => {
  it('matches a fully converged FastChat-style fit (scipy L-BFGS-B, gtol 1e-13) to 1e-6 points', () => {
    const fit = bradleyTerry(golden.battles);
    for (const [model, rating] of Object.entries(golden.bradleyTerry)) {
      expect(Math.abs((fit.ratings[model] as number) - rating)).toBeLessThan(1e-6);
    }
    expect(fit.converged).toBe(true);
    expect(fit.gradientNorm).toBeLessThan(1e-10);
    expect(fit.models[0]).toBe('model-a');
    // FastChat's defaults and its scikit-learn fit land near, but not on, the optimum.
    for (const model of fit.models) {
      expect(
        Math.abs((fit.ratings[model] as number) - (golden.fastchatDefault[model] as number)),
      ).toBeLessThan(0.05);
      expect(
        Math.abs((fit.ratings[model] as number) - (golden.sklearnLogistic[model] as number)),
      ).toBeLessThan(0.05);
    }
  });

  it('centres ratings at init, or pins an anchor model', () => {
    const fit = bradleyTerry(golden.battles, { init: 1500 });
    const ratings = Object.values(fit.ratings);
    expect(ratings.reduce((a, b) => a + b, 0) / ratings.length).toBeCloseTo(1500, 8);
    const pinned = bradleyTerry(golden.battles, { anchor: { model: 'model-d', rating: 1114 } });
    expect(pinned.ratings['model-d']).toBeCloseTo(1114, 10);
    const gap = (pinned.ratings['model-a'] as number) - (pinned.ratings['model-h'] as number);
    expect(gap).toBeCloseTo(
      (fit.ratings['model-a'] as number) - (fit.ratings['model-h'] as number),
      8,
    );
    expect(bradleyTerry(golden.battles, { anchor: 'model-h' }).ratings['model-h']).toBeCloseTo(
      1000,
      10,
    );
  });

  it('fits a table built by streaming and merging shards like the list itself', () => {
    const left = new BattleCounts().addAll(golden.battles.slice(0, 1700));
    const right = BattleCounts.fromJSON(
      JSON.parse(JSON.stringify(new BattleCounts().addAll(golden.battles.slice(1700)))),
    );
    const fit = bradleyTerry(left.merge(right));
    for (const [model, rating] of Object.entries(golden.bradleyTerry)) {
      expect(fit.ratings[model]).toBeCloseTo(rating, 6);
    }
    expect(fit.battles).toBe(4000);
  });

  it('rejects one-model logs, unknown anchors, bad winners and unidentified ratings', () => {
    expect(() => bradleyTerry([])).toThrow(/at least two models/);
    expect(() => bradleyTerry([{ model_a: 'x', model_b: 'x', winner: 'tie' }])).toThrow(
      /battles itself/,
    );
    expect(() => bradleyTerry([{ model_a: 'x', model_b: 'y', winner: 'draw' as never }])).toThrow(
      /battles\[0\]\.winner/,
    );
    expect(() => bradleyTerry(golden.battles, { anchor: 'gpt-5' })).toThrow(
      /unknown model "gpt-5"/,
    );
    const sweep: Battle[] = [
      { model_a: 'x', model_b: 'y', winner: 'model_a' },
      { model_a: 'y', model_b: 'z', winner: 'model_a' },
    ];
    expect(() => bradleyTerry(sweep)).toThrow(/not identified/);
    // A prior makes the same data rateable.
    const ridge = bradleyTerry(sweep, { l2: 1 });
    expect(ridge.ratings.x).toBeGreaterThan(ridge.ratings.z as number);
  });

  it('is invariant to battle order, and mirrors when every outcome is flipped (properties)', () => {
    const mirror: Record<string, Battle['winner']> = {
      model_a: 'model_b',
      model_b: 'model_a',
      tie: 'tie',
      'tie (bothbad)': 'tie (bothbad)',
    };
    fc.assert(
      fc.property(
        fc.array(battleArb(4), { minLength: 1, maxLength: 60 }),
        fc.nat(),
        (battles, seed) => {
          const opts = { l2: 0.5 };
          const fit = bradleyTerry(battles, opts);
          const shuffled = [...battles];
          for (let i = shuffled.length - 1; i > 0; i--) {
            const j = (seed + i * 7919) % (i + 1);
            [shuffled[i], shuffled[j]] = [shuffled[j] as Battle, shuffled[i] as Battle];
          }
          const again = bradleyTerry(shuffled, opts);
          const flipped = bradleyTerry(
            battles.map((b) => ({ ...b, winner: mirror[b.winner] as Battle['winner'] })),
            opts,
          );
          for (const model of fit.models) {
            const r = fit.ratings[model] as number;
            expect(Math.abs((again.ratings[model] as number) - r)).toBeLessThan(1e-6);
            expect(Math.abs((flipped.ratings[model] as number) - (2000 - r))).toBeLessThan(1e-6);
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
