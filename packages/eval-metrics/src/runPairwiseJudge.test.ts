import { describe, expect, it } from 'vitest';
import { JudgeLog, MemoryJudgeLogStorage } from './judgeLog.js';
import {
  type JudgeProgress,
  type PairwiseJudge,
  type PairwiseJudgeItem,
  runPairwiseJudge,
} from './runPairwiseJudge.js';

const items: PairwiseJudgeItem[] = Array.from({ length: 12 }, (_, i) => ({
  id: `item-${i}`,
  instruction: `question ${i}`,
  output: i % 3 === 0 ? 'short' : 'a much better answer',
  baselineOutput: 'baseline answer',
}));

/** Prefers the longer answer: the model wins 8 of 12. */
const fairJudge: PairwiseJudge = async (req) => (req.first.length > req.second.length ? 'A' : 'B');

describe('runPairwiseJudge', () => {
  it('judges both orders and reports preferences aligned with the items', async () => {
    const calls: string[] = [];
    const result = await runPairwiseJudge(items, async (req, ctx) => {
      calls.push(`${req.itemId}:${req.order}`);
      return fairJudge(req, ctx);
    });
    expect(calls).toHaveLength(24);
    expect(result.preferences).toEqual(items.map((_, i) => (i % 3 === 0 ? 0 : 1)));
    expect(result.winRate?.winRate).toBeCloseTo(8 / 12, 15);
    expect(result.judged.get('item-1')).toEqual({
      preference: 1,
      forward: 1,
      swapped: 1,
      calls: 2,
    });
  });

  it('cancels a pure position bias when swapping, and not without', async () => {
    const alwaysFirst: PairwiseJudge = async () => 'A';
    expect((await runPairwiseJudge(items, alwaysFirst)).winRate?.winRate).toBe(0.5);
    expect((await runPairwiseJudge(items, alwaysFirst, { swap: false })).winRate?.winRate).toBe(1);
    const consistent = await runPairwiseJudge(items, alwaysFirst, { reconcile: 'consistent' });
    expect(consistent.judged.get('item-0')?.preference).toBe(0.5);
  });

  it('retries failures and garbage with backoff, then reports what still fails without crashing', async () => {
    const attempts = new Map<string, number>();
    const events: JudgeProgress[] = [];
    const flaky: PairwiseJudge = async (req) => {
      const n = (attempts.get(req.itemId) ?? 0) + 1;
      attempts.set(req.itemId, n);
      if (req.itemId === 'item-5') return 'maybe' as never; // garbage, always
      if (n <= 2) throw new Error('429 Too Many Requests');
      return fairJudge(req, { signal: new AbortController().signal, attempt: n });
    };
    const result = await runPairwiseJudge(items, flaky, {
      retries: 3,
      random: () => 0,
      onProgress: (e) => events.push(e),
    });
    expect(result.failed.map((f) => f.itemId)).toEqual(['item-5']);
    expect(String(result.failed[0]?.error)).toMatch(/expected 'A', 'B', 'tie'/);
    expect(result.preferences[5]).toBeNull();
    expect(result.judged.get('item-1')?.calls).toBe(4); // 2 failures + forward + swapped
    expect(events.filter((e) => e.type === 'retry').length).toBeGreaterThan(0);
    expect(events.at(-1)?.done).toBe(12);
    let tries = 0;
    const broken: PairwiseJudge = async () => {
      tries++;
      throw new Error('401 Unauthorized');
    };
    const noRetry = await runPairwiseJudge(items.slice(0, 2), broken, {
      isRetryable: () => false,
      random: () => 0,
    });
    expect(noRetry.failed).toHaveLength(2);
    expect(tries).toBe(2);
    expect(noRetry.winRate).toBeUndefined();
  });

  it('limits concurrency and spaces calls by the rate limit', async () => {
    let inFlight = 0;
    let peak = 0;
    const slow: PairwiseJudge = async (req, ctx) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, 3));
      inFlight--;
      return fairJudge(req, ctx);
    };
    await runPairwiseJudge(items, slow, { concurrency: 3 });
    expect(peak).toBeLessThanOrEqual(3);
    const started = Date.now();
    await runPairwiseJudge(items.slice(0, 3), fairJudge, { maxCallsPerMinute: 3000, swap: true });
    expect(Date.now() - started).toBeGreaterThanOrEqual(5 * 20 - 5); // 6 calls, 20 ms apart
  });

  it('resumes after an abort from the append-only log without re-judging', async () => {
    const storage = new MemoryJudgeLogStorage();
    const controller = new AbortController();
    let calls = 0;
    const judge: PairwiseJudge = async (req, ctx) => {
      calls++;
      if (calls === 9) controller.abort();
      return fairJudge(req, ctx);
    };
    await expect(
      runPairwiseJudge(items, judge, { log: storage, concurrency: 1, signal: controller.signal }),
    ).rejects.toThrow(expect.objectContaining({ code: 'ABORTED' }));
    const logged = (await JudgeLog.open(storage)).completed.size;
    expect(logged).toBe(4);
    // Simulate a crash mid-append: a torn last line.
    storage.text = `${storage.text}{"id":"item-4","rec`;
    calls = 0;
    const resumed = await runPairwiseJudge(items, judge, { log: storage });
    expect(resumed.resumed).toBe(4);
    expect(calls).toBe(2 * (12 - 4));
    expect(resumed.preferences).toEqual(items.map((_, i) => (i % 3 === 0 ? 0 : 1)));
  });

  it('rejects duplicate ids, bad items and a non-function judge', async () => {
    await expect(
      runPairwiseJudge([items[0], items[0]] as PairwiseJudgeItem[], fairJudge),
    ).rejects.toThrow(/duplicate id "item-0"/);
    await expect(
      runPairwiseJudge([{ ...items[0], output: 3 } as never], fairJudge),
    ).rejects.toThrow(/items\[0\]\.output/);
    await expect(runPairwiseJudge(items, 'judge' as never)).rejects.toThrow(/async function/);
    await expect(runPairwiseJudge([], fairJudge)).rejects.toThrow(/at least one/);
  });
});
