import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fixture } from '../test/fixtures.js';
import { rollingLoglikelihood, rollingTokenWindows } from './rollingWindows.js';

interface WindowFixture {
  windows: {
    tokens: number[];
    maxLength: number;
    contextLength: number;
    prefixToken: number;
    windows: { context: number[]; continuation: number[] }[];
  }[];
}

describe('rollingTokenWindows', () => {
  it.each(fixture<WindowFixture>('likelihood.json').windows)(
    'matches the harness for $tokens.length tokens, maxLength $maxLength, contextLength $contextLength',
    (c) => {
      expect(rollingTokenWindows(c.tokens, c)).toEqual(c.windows);
    },
  );

  it('predicts every token exactly once and never exceeds the model length (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 200 }),
        fc.integer({ min: 1, max: 40 }),
        fc.nat(),
        (length, maxLength, c) => {
          const tokens = Array.from({ length }, (_, i) => i + 10);
          const contextLength = 1 + (c % maxLength);
          const windows = rollingTokenWindows(tokens, { maxLength, contextLength, prefixToken: 0 });
          expect(windows.flatMap((w) => w.continuation)).toEqual(tokens);
          for (const w of windows) {
            expect(w.context.length + w.continuation.length).toBeLessThanOrEqual(maxLength + 1);
            expect(w.context.length).toBeGreaterThan(0);
          }
        },
      ),
    );
  });

  it('rejects a context length beyond the model length', () => {
    expect(() =>
      rollingTokenWindows([1], { maxLength: 4, contextLength: 5, prefixToken: 0 }),
    ).toThrow(/contextLength/);
  });
});

describe('rollingLoglikelihood', () => {
  it('sums window scores and counts each token once', async () => {
    const result = await rollingLoglikelihood(
      [1, 2, 3, 4, 5, 6, 7],
      (w) => -0.5 * w.continuation.length,
      { maxLength: 3, prefixToken: 0 },
    );
    expect(result).toEqual({ logLikelihood: -3.5, tokens: 7, windows: 3 });
  });

  it('rejects a scorer that returns a positive or non-finite value, and stops on abort', async () => {
    const opts = { maxLength: 3, prefixToken: 0 };
    await expect(rollingLoglikelihood([1, 2], () => 0.5, opts)).rejects.toThrow(/≤ 0/);
    await expect(rollingLoglikelihood([1, 2], () => Number.NaN, opts)).rejects.toThrow(/finite/);
    const controller = new AbortController();
    controller.abort();
    await expect(
      rollingLoglikelihood([1, 2], () => -1, { ...opts, signal: controller.signal }),
    ).rejects.toThrow(expect.objectContaining({ code: 'ABORTED' }));
  });
});
