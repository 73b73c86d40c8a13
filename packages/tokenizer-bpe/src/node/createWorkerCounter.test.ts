import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { corpus } from '../../test/corpus.js';
import { countWords } from '../countWords.js';
import { PreTokenizer } from '../preTokenizer.js';
import { trainBpe } from '../trainBpe.js';
import type { CountProgress } from '../trainProgress.js';
import { createWorkerCounter } from './createWorkerCounter.js';

const sections = [...corpus.values()];
const sorted = (m: Map<string, number>) => [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

describe('createWorkerCounter', () => {
  it('counts exactly as countWords, whatever the threads and batch size', async () => {
    const texts = Array.from({ length: 40 }, (_, i) => sections[i % sections.length]! + i);
    const expected = sorted(await countWords(texts, { pattern: 'o200k' }));
    for (const [threads, batchSize] of [
      [1, 1 << 18],
      [3, 500],
    ] as const) {
      const counter = createWorkerCounter({ threads, batchSize });
      const reports: CountProgress[] = [];
      const counts = await counter(texts, { pattern: 'o200k', onProgress: (p) => reports.push(p) });
      expect(sorted(counts)).toEqual(expected);
      expect(reports.at(-1)).toEqual({
        textsRead: texts.length,
        bytesRead: new TextEncoder().encode(texts.join('')).length,
        wordsCounted: expected.reduce((n, [, c]) => n + c, 0),
        uniqueWords: expected.length,
      });
    }
  }, 30_000);

  it('trains the same tokenizer as one thread does', async () => {
    const counter = createWorkerCounter({ threads: 2, batchSize: 64 });
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.string({ unit: 'grapheme', maxLength: 50 }), { maxLength: 30 }),
        fc.integer({ min: 256, max: 600 }),
        async (texts, vocabSize) => {
          const single = await trainBpe(texts, { vocabSize, pattern: 'r50k' });
          const pooled = await trainBpe(texts, { vocabSize, pattern: 'r50k', countWords: counter });
          expect(pooled.toJSON()).toEqual(single.toJSON());
        },
      ),
      { numRuns: 4 },
    );
  }, 30_000);

  it('counts a custom regex pattern with its gap policy', async () => {
    const texts = ['a1b22c333 d', 'xx 4444'];
    for (const pattern of ['\\p{N}+', new PreTokenizer('\\p{N}+', { gaps: 'keep' })]) {
      const counts = await createWorkerCounter({ threads: 1 })(texts, { pattern });
      expect(sorted(counts)).toEqual(sorted(await countWords(texts, { pattern })));
    }
    expect(
      (await countWords(texts, { pattern: new PreTokenizer('\\p{N}+', { gaps: 'keep' }) })).get(
        ' d',
      ),
    ).toBe(1);
  }, 30_000);

  it('stops on a bad text or an abort, ending its workers', async () => {
    const counter = createWorkerCounter({ threads: 2, batchSize: 10 });
    await expect(counter(['fine', 'also fine', 3 as unknown as string], {})).rejects.toThrow(
      'createWorkerCounter(texts[2]): expected a string, received 3',
    );
    const controller = new AbortController();
    async function* endless() {
      for (let i = 0; ; i++) yield `${sections[i % sections.length]} ${i}`;
    }
    const pending = counter(endless(), { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('enough')), 300);
    await expect(pending).rejects.toThrow('enough');
    await expect(counter(['x'], { signal: AbortSignal.abort() })).rejects.toThrow('aborted');
  }, 30_000);

  it('rejects bad options by name', () => {
    expect(() => createWorkerCounter({ threads: 0 })).toThrow(
      'createWorkerCounter(options.threads): expected a positive integer, received 0.',
    );
    expect(() => createWorkerCounter({ batchSize: 1.5 })).toThrow('options.batchSize');
  });
});
