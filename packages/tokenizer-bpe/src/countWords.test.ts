import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { corpus } from '../test/corpus.js';
import { countWords } from './countWords.js';
import { PreTokenizer } from './preTokenizer.js';
import type { CountProgress } from './trainProgress.js';

async function* asAsync(texts: Iterable<string>): AsyncGenerator<string> {
  for (const text of texts) yield text;
}

/** The reference: split with the public pre-tokenizer and count. */
function splitAndCount(texts: readonly string[], pattern: 'cl100k' | 'r50k'): Map<string, number> {
  const counts = new Map<string, number>();
  const pre = new PreTokenizer(pattern);
  for (const text of texts) {
    for (const piece of pre.split(text)) counts.set(piece, (counts.get(piece) ?? 0) + 1);
  }
  return counts;
}

const sorted = (m: Map<string, number>) => [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

describe('countWords', () => {
  it('counts the pieces PreTokenizer.split gives, from arrays, iterables and async iterables', async () => {
    const texts = [...corpus.values()];
    const expected = sorted(splitAndCount(texts, 'cl100k'));
    expect(sorted(await countWords(texts))).toEqual(expected);
    expect(sorted(await countWords(new Set(texts).values()))).toEqual(expected);
    expect(sorted(await countWords(asAsync(texts)))).toEqual(expected);
  });

  it('counts any text as split does (lone surrogates as U+FFFD)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.string({ unit: 'binary', maxLength: 40 }), { maxLength: 8 }),
        async (texts) => {
          expect(sorted(await countWords(texts, { pattern: 'r50k' }))).toEqual(
            sorted(splitAndCount(texts, 'r50k')),
          );
        },
      ),
      { numRuns: 60 },
    );
  });

  it('reports texts, UTF-8 bytes and words read, ending with the totals', async () => {
    const texts = ['héllo wörld', '😀 x', ''];
    const reports: CountProgress[] = [];
    const counts = await countWords(texts, { onProgress: (p) => reports.push(p) });
    expect(reports.at(-1)).toEqual({
      textsRead: 3,
      bytesRead: new TextEncoder().encode(texts.join('')).length,
      wordsCounted: 4, // héllo, " wörld", 😀, " x"
      uniqueWords: counts.size,
    });
    // A custom pattern that skips text still reads (and reports) all of it.
    const letters: CountProgress[] = [];
    await countWords(texts, { pattern: '\\p{L}+', onProgress: (p) => letters.push(p) });
    expect(letters.at(-1)).toMatchObject({ bytesRead: reports.at(-1)?.bytesRead, wordsCounted: 3 });
  });

  it('counts a huge single text in steps and can be cancelled inside it', async () => {
    const huge = 'the quick brown fox '.repeat(200_000);
    const counts = await countWords([huge]);
    expect(counts.get(' quick')).toBe(200_000);
    const controller = new AbortController();
    const pending = countWords([huge, huge, huge, huge, huge], { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('stop')), 5);
    await expect(pending).rejects.toThrow('stop');
  });

  it('closes a generator it stops reading', async () => {
    let closed = false;
    function* texts(): Generator<unknown> {
      try {
        yield 'fine';
        yield 42;
      } finally {
        closed = true;
      }
    }
    await expect(countWords(texts() as Iterable<string>)).rejects.toThrow(
      'countWords(texts[1]): expected a string, received 42',
    );
    expect(closed).toBe(true);
  });

  it('rejects what is not an iterable of strings, saying how to fix it', async () => {
    await expect(countWords('one text' as unknown as string[])).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining('wrap a single text in an array'),
    });
    await expect(countWords(null as unknown as string[])).rejects.toThrow(
      'countWords(texts): expected an iterable of strings, received null',
    );
    await expect(countWords(['a'], { signal: AbortSignal.abort() })).rejects.toThrow(
      'This operation was aborted',
    );
  });
});
