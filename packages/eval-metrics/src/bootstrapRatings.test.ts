import { describe, expect, it } from 'vitest';
import { fixture } from '../test/fixtures.js';
import type { Battle } from './battles.js';
import { bootstrapRatings } from './bootstrapRatings.js';

const { battles } = fixture<{ battles: Battle[] }>('arena.json');

describe('bootstrapRatings', () => {
  it('gives seeded intervals around the fit, ranks from intervals, and reproduces from the seed', async () => {
    let progress = 0;
    const a = await bootstrapRatings(battles, {
      rounds: 200,
      seed: 7,
      onProgress: (done) => (progress = done),
    });
    const b = await bootstrapRatings(battles, { rounds: 200, seed: 7, keepReplicates: true });
    expect(progress).toBe(200);
    expect(a.leaderboard).toEqual(b.leaderboard);
    expect(b.replicates?.['model-a']).toHaveLength(200);
    for (const row of a.leaderboard) {
      expect(row.lower).toBeLessThan(row.rating);
      expect(row.upper).toBeGreaterThan(row.rating);
      // Bradley–Terry standard errors with ~1000 battles per model are ~10 Elo points.
      expect(row.standardError).toBeGreaterThan(3);
      expect(row.standardError).toBeLessThan(25);
      const beaten = a.leaderboard.filter((other) => other.lower > row.upper).length;
      expect(row.rank).toBe(1 + beaten);
      expect(row.battles).toBeGreaterThan(800);
    }
    expect(a.leaderboard[0]?.model).toBe('model-a');
    expect(a.leaderboard[0]?.rank).toBe(1);
    expect(a.worstGradientNorm).toBeLessThan(1e-9);
    const other = await bootstrapRatings(battles, { rounds: 200, seed: 8 });
    expect(other.leaderboard[0]?.lower).not.toBe(a.leaderboard[0]?.lower);
  });

  it('agrees with a resample-the-battles bootstrap in distribution (multinomial equivalence)', async () => {
    // The standard error from resampling cells must match the textbook resample of rows; with
    // 300 rounds each, SEs agree within sampling error (~±15%).
    const { leaderboard } = await bootstrapRatings(battles, { rounds: 300, seed: 1 });
    const { bradleyTerry } = await import('./bradleyTerry.js');
    const { Random } = await import('@llmkit/numeric');
    const rng = new Random(99);
    const draws: number[] = [];
    for (let r = 0; r < 300; r++) {
      const sample = rng.sampleWithReplacement(battles);
      draws.push(bradleyTerry(sample).ratings['model-a'] as number);
    }
    const mean = draws.reduce((x, y) => x + y, 0) / draws.length;
    const sd = Math.sqrt(draws.reduce((s, x) => s + (x - mean) ** 2, 0) / (draws.length - 1));
    const row = leaderboard.find((r) => r.model === 'model-a');
    expect((row?.standardError as number) / sd).toBeGreaterThan(0.8);
    expect((row?.standardError as number) / sd).toBeLessThan(1.25);
  }, 30_000);

  it('cancels through an AbortSignal and rejects bad options', async () => {
    const controller = new AbortController();
    const run = bootstrapRatings(battles, {
      rounds: 10_000,
      signal: controller.signal,
      onProgress: (done) => done === 3 && controller.abort(),
    });
    await expect(run).rejects.toThrow(expect.objectContaining({ code: 'ABORTED' }));
    await expect(bootstrapRatings(battles, { rounds: 0 })).rejects.toThrow(/rounds/);
    await expect(bootstrapRatings(battles, { confidence: 1 })).rejects.toThrow(/strictly/);
  });

  it('explains a resample that leaves a model unidentified', async () => {
    const few: Battle[] = [
      { model_a: 'x', model_b: 'y', winner: 'model_a' },
      { model_a: 'y', model_b: 'x', winner: 'model_a' },
      { model_a: 'x', model_b: 'z', winner: 'tie' },
    ];
    await expect(bootstrapRatings(few, { rounds: 50 })).rejects.toThrow(/bootstrap round \d+.*l2/);
    const ok = await bootstrapRatings(few, { rounds: 50, l2: 1 });
    expect(ok.leaderboard).toHaveLength(3);
  });
});
