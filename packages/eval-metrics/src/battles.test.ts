import { describe, expect, it } from 'vitest';
import { countEventLoopTurns } from '../test/eventLoopTurns.js';
import { fixture } from '../test/fixtures.js';
import { type Battle, BattleCounts } from './battles.js';

const { battles } = fixture<{ battles: Battle[] }>('arena.json');

async function* stream(list: readonly Battle[]): AsyncGenerator<Battle> {
  for (const battle of list) yield battle;
}

describe('BattleCounts.fromAsync', () => {
  it('builds the same table as from() from an array, an iterable or an async iterable', async () => {
    const expected = BattleCounts.from(battles).toJSON();
    expect((await BattleCounts.fromAsync(battles, { chunkSize: 300 })).toJSON()).toEqual(expected);
    expect((await BattleCounts.fromAsync(new Set(battles), { chunkSize: 7 })).toJSON()).toEqual(
      expected,
    );
    expect((await BattleCounts.fromAsync(stream(battles))).toJSON()).toEqual(expected);
    expect((await BattleCounts.fromAsync([])).battles).toBe(0);
  });

  it('gives the event loop a turn between chunks: a setImmediate loop advances between progress reports', async () => {
    // Arrange: a callback that re-queues itself on every turn of the event loop.
    const turns = countEventLoopTurns();
    const turnsAtProgress: number[] = [];
    const progress: number[] = [];
    // Act
    for (const source of [battles, stream(battles)]) {
      turnsAtProgress.length = 0;
      progress.length = 0;
      await BattleCounts.fromAsync(source, {
        chunkSize: 1000,
        onProgress: (done) => {
          progress.push(done);
          turnsAtProgress.push(turns.count());
        },
      });
      // Assert: 4 chunks, and the probe ran between every two of them.
      expect(progress).toEqual([1000, 2000, 3000, 4000]);
      for (let k = 1; k < turnsAtProgress.length; k++) {
        expect(turnsAtProgress[k]).toBeGreaterThan(turnsAtProgress[k - 1] as number);
      }
    }
    turns.stop();
  });

  it('cancels between chunks and names the bad battle by its index', async () => {
    const controller = new AbortController();
    const run = BattleCounts.fromAsync(battles, {
      chunkSize: 500,
      signal: controller.signal,
      onProgress: (done) => done === 1000 && controller.abort(),
    });
    await expect(run).rejects.toThrow(
      expect.objectContaining({ code: 'ABORTED', message: expect.stringMatching(/after 1000/) }),
    );
    const bad = [...battles.slice(0, 2500), { model_a: 'x', model_b: 'y', winner: 'draw' }];
    await expect(BattleCounts.fromAsync(bad as Battle[], { chunkSize: 1000 })).rejects.toThrow(
      /fromAsync\(battles\[2500\]\.winner\)/,
    );
    await expect(BattleCounts.fromAsync(42 as never)).rejects.toThrow(/iterable/);
    await expect(BattleCounts.fromAsync(battles, { chunkSize: 0 })).rejects.toThrow(/chunkSize/);
  });
});
