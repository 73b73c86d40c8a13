import { describe, expect, it } from 'vitest';
import { fixture } from '../test/fixtures.js';
import type { Battle } from './battles.js';
import { OnlineElo, onlineElo } from './onlineElo.js';
import { predictedWinRates } from './predictedWinRates.js';

const golden = fixture<{
  battles: Battle[];
  onlineEloK4: Record<string, number>;
  onlineEloK32: Record<string, number>;
}>('arena.json');

describe('onlineElo', () => {
  it('matches FastChat compute_elo with K = 4 and K = 32', () => {
    for (const [k, expected] of [
      [4, golden.onlineEloK4],
      [32, golden.onlineEloK32],
    ] as const) {
      const ratings = onlineElo(golden.battles, { k });
      for (const [model, rating] of Object.entries(expected))
        expect(ratings[model]).toBeCloseTo(rating, 9);
    }
  });

  it('streams: a restored state continues exactly where it stopped', () => {
    const elo = new OnlineElo({ k: 16 });
    for (const b of golden.battles.slice(0, 500)) elo.update(b);
    const restored = OnlineElo.fromJSON(JSON.parse(JSON.stringify(elo)));
    for (const b of golden.battles.slice(500)) restored.update(b);
    expect(restored.ratings).toEqual(onlineElo(golden.battles, { k: 16 }));
    expect(restored.battles).toBe(golden.battles.length);
  });

  it('conserves total rating (zero-sum updates) and rejects malformed battles', () => {
    const ratings = onlineElo(golden.battles);
    const total = Object.values(ratings).reduce((a, b) => a + b, 0);
    expect(total).toBeCloseTo(1000 * Object.keys(ratings).length, 8);
    expect(() => new OnlineElo().update({ model_a: 'a', model_b: 'a', winner: 'tie' })).toThrow(
      /different/,
    );
    expect(() =>
      new OnlineElo().update({ model_a: 'a', model_b: 'b', winner: 'A' as never }),
    ).toThrow(/winner/);
    expect(() => new OnlineElo({ k: -1 })).toThrow(/options\.k/);
  });
});

describe('predictedWinRates', () => {
  it('gives the Elo expected score, ½ on the diagonal and complementary entries', () => {
    const { models, matrix } = predictedWinRates({ b: 1000, a: 1100, c: 900 });
    expect(models).toEqual(['a', 'b', 'c']);
    expect(matrix[0]?.[1]).toBeCloseTo(1 / (1 + 10 ** (-100 / 400)), 15);
    expect(matrix[1]?.[1]).toBe(0.5);
    expect((matrix[0]?.[2] as number) + (matrix[2]?.[0] as number)).toBeCloseTo(1, 15);
    expect(() => predictedWinRates({})).toThrow(/non-empty/);
  });
});
