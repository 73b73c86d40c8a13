import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { corpus } from '../../test/corpus.js';
import { naiveTrain } from '../../test/naiveTrainer.js';
import { countWords } from '../countWords.js';
import { MergeTrainer } from './mergeTrainer.js';

function train(words: ReadonlyMap<string, number>, tokenCount: number, minFrequency = 1) {
  const trainer = new MergeTrainer(words);
  while (trainer.tokens.length < tokenCount && trainer.mergeBest(minFrequency)) {}
  return { tokens: trainer.tokens.map((t) => [...t]), merges: trainer.merges };
}

/** Words over a small alphabet, so that counts tie and pairs overlap (`aaaa`) often. */
const smallWords = fc
  .array(fc.tuple(fc.stringMatching(/^[ab\u00e9 ]{1,9}$/), fc.integer({ min: 1, max: 5 })), {
    minLength: 1,
    maxLength: 25,
  })
  .map((entries) => new Map(entries));

describe('MergeTrainer (incremental) against the naive recounting trainer', () => {
  it('makes the same merges on every corpus section, to exhaustion, for three patterns', async () => {
    for (const pattern of ['cl100k', 'o200k', 'r50k'] as const) {
      const words = await countWords(corpus.values(), { pattern });
      const naive = naiveTrain(words, 1e6);
      expect(train(words, 1e6)).toEqual(naive);
      expect(naive.merges.length).toBeGreaterThan(1000);
    }
  });

  it('makes the same merges on generated word tables, with ties and overlapping pairs', () => {
    fc.assert(
      fc.property(smallWords, fc.integer({ min: 256, max: 320 }), (words, tokenCount) => {
        expect(train(words, tokenCount)).toEqual(naiveTrain(words, tokenCount));
      }),
      { numRuns: 300 },
    );
  });

  it('makes the same merges on arbitrary Unicode words and stops at minFrequency', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.string({ unit: 'grapheme', maxLength: 8 }), fc.nat(4)), {
          maxLength: 30,
        }),
        fc.integer({ min: 1, max: 4 }),
        (entries, minFrequency) => {
          const words = new Map(entries.filter(([, n]) => n > 0));
          expect(train(words, 1e6, minFrequency)).toEqual(naiveTrain(words, 1e6, minFrequency));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('adds one token per merge (no merge re-spells an existing token)', () => {
    fc.assert(
      fc.property(smallWords, (words) => {
        const { tokens, merges } = train(words, 1e6);
        expect(merges.length).toBe(tokens.length - 256);
      }),
      { numRuns: 300 },
    );
  });

  it('merges left to right without overlap, and weights pairs by word counts', () => {
    // 'aaaa' ×1 counts (a,a) three times (every adjacent pair), then merges it twice, left to
    // right: aa aa. 'ab' ×4 outweighs it at first.
    const { tokens, merges } = train(
      new Map([
        ['aaaa', 1],
        ['ab', 4],
      ]),
      1e6,
    );
    const text = (id: number) => String.fromCharCode(...tokens[id]!);
    expect(merges.map(([a, b]) => `${text(a)}+${text(b)}`)).toEqual(['a+b', 'a+a', 'aa+aa']);
  });

  it('breaks ties by GPT-2 byte-level order: printable bytes before space and controls', () => {
    // Both pairs occur once; 'x' (0x78) ranks before ' ' (0x20, shown as Ġ = U+0120).
    const { merges } = train(
      new Map([
        [' y', 1],
        ['xy', 1],
      ]),
      257,
    );
    expect(merges).toEqual([[0x78, 0x79]]);
  });

  it('ignores words of one byte and words with a count of zero', () => {
    const trainer = new MergeTrainer(
      new Map([
        ['a', 100],
        ['bc', 0],
        ['de', 2],
      ]),
    );
    expect(trainer.wordCount).toBe(1);
    expect(trainer.mergeBest(3)).toBe(false);
    expect(trainer.mergeBest(1)).toBe(true);
    expect(trainer.merges).toEqual([[0x64, 0x65]]);
    expect(trainer.mergeBest(1)).toBe(false);
  });
});
