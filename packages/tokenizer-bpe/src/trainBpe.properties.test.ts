/** trainBpe's invariants (fast-check), options, errors, progress and cancellation. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { corpus } from '../test/corpus.js';
import { countWords } from './countWords.js';
import { tokenizerProperties } from './testing/tokenizerProperties.js';
import { trainBpe } from './trainBpe.js';
import type { TrainProgress } from './trainProgress.js';

const texts = fc.array(fc.string({ unit: 'grapheme', maxLength: 40 }), { maxLength: 12 });
const sections = [...corpus.values()];
/** `text` with lone surrogates replaced by U+FFFD (`String.prototype.toWellFormed`, ES2024). */
const wellFormed = (text: string) => new TextDecoder().decode(new TextEncoder().encode(text));

function snapshot(tokenizer: Awaited<ReturnType<typeof trainBpe>>) {
  return { json: tokenizer.toJSON(), vocabSize: tokenizer.vocabSize };
}

describe('trainBpe properties', () => {
  it('round-trips any text through the trained tokenizer', async () => {
    await fc.assert(
      fc.asyncProperty(
        texts,
        fc.integer({ min: 256, max: 400 }),
        fc.string({ unit: 'binary', maxLength: 60 }),
        async (corpusTexts, vocabSize, text) => {
          const tokenizer = await trainBpe(corpusTexts, { vocabSize });
          expect(tokenizer.decode(tokenizer.encode(text))).toBe(wellFormed(text));
        },
      ),
      { numRuns: 40 },
    );
  });

  it('learns vocabSize − 256 − specials merges, fewer only when no pair is frequent enough', async () => {
    await fc.assert(
      fc.asyncProperty(
        texts,
        fc.integer({ min: 258, max: 500 }),
        fc.integer({ min: 1, max: 3 }),
        async (corpusTexts, vocabSize, minFrequency) => {
          const specialTokens = ['<|a|>', '<|b|>'];
          const options = { vocabSize, minFrequency, specialTokens };
          const tokenizer = await trainBpe(corpusTexts, options);
          const merges = tokenizer.merges?.length ?? 0;
          expect(tokenizer.tokenBytes.count).toBe(256 + merges);
          expect(tokenizer.vocabSize).toBe(256 + merges + 2);
          expect([...tokenizer.specialTokens.values()]).toEqual([256 + merges, 257 + merges]);
          if (merges < vocabSize - 258) {
            // Exhausted: a larger vocabulary learns nothing more.
            const larger = await trainBpe(corpusTexts, { ...options, vocabSize: vocabSize + 50 });
            expect(larger.merges).toEqual(tokenizer.merges);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('is deterministic and does not depend on the order of the texts', async () => {
    await fc.assert(
      fc.asyncProperty(
        texts,
        fc.integer({ min: 256, max: 400 }),
        async (corpusTexts, vocabSize) => {
          const first = snapshot(await trainBpe(corpusTexts, { vocabSize }));
          expect(snapshot(await trainBpe(corpusTexts, { vocabSize }))).toEqual(first);
          const reversed = [...corpusTexts].reverse();
          expect(snapshot(await trainBpe(reversed, { vocabSize }))).toEqual(first);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('gives the same tokenizer with any counter that gives the same counts', async () => {
    const direct = await trainBpe(sections, { vocabSize: 600 });
    const counted = await countWords(sections);
    // A counter returning the table in another order (as a worker pool may).
    const shuffled = await trainBpe([], {
      vocabSize: 600,
      countWords: async () => new Map([...counted].reverse()),
    });
    expect(snapshot(shuffled)).toEqual(snapshot(direct));
  });
});

describe('a trained tokenizer passes the Tokenizer property suite (@llmkit/tokenizer-bpe/testing)', async () => {
  const tokenizer = await trainBpe(sections, {
    vocabSize: 800,
    pattern: 'o200k',
    specialTokens: ['<|endoftext|>', '<|pad|>'],
  });
  for (const property of tokenizerProperties(tokenizer)) {
    it(property.name, () => property.run({ numRuns: 100 }));
  }
});

describe('trainBpe options and errors', () => {
  it('reports counting, then merging, then done once, with counts that only grow', async () => {
    const reports: TrainProgress[] = [];
    const tokenizer = await trainBpe(sections, {
      vocabSize: 700,
      onProgress: (p) => reports.push(p),
    });
    const phases = reports.map((r) => r.phase);
    expect(phases.indexOf('merging')).toBeGreaterThan(phases.lastIndexOf('counting'));
    expect(phases.filter((p) => p === 'done')).toEqual(['done']);
    expect(phases.at(-1)).toBe('done');
    for (let i = 1; i < reports.length; i++) {
      expect(reports[i]!.mergesDone).toBeGreaterThanOrEqual(reports[i - 1]!.mergesDone);
      expect(reports[i]!.bytesRead).toBeGreaterThanOrEqual(reports[i - 1]!.bytesRead);
    }
    expect(reports.at(-1)).toMatchObject({
      textsRead: sections.length,
      bytesRead: new TextEncoder().encode(sections.join('')).length,
      mergesDone: tokenizer.merges?.length,
      mergesTarget: 700 - 256,
    });
  });

  it('accepts an async iterable', async () => {
    async function* lines() {
      for (const s of sections) yield s;
    }
    expect(snapshot(await trainBpe(lines(), { vocabSize: 500 }))).toEqual(
      snapshot(await trainBpe(sections, { vocabSize: 500 })),
    );
  });

  it('stops when aborted before it starts, while counting, and while merging', async () => {
    await expect(
      trainBpe(sections, { vocabSize: 500, signal: AbortSignal.abort() }),
    ).rejects.toThrow('This operation was aborted');
    const abortAfter = async (ms: number, options: Partial<Parameters<typeof trainBpe>[1]>) => {
      const controller = new AbortController();
      const phases: string[] = [];
      const pending = trainBpe(Array(3000).fill(sections.join(' ')), {
        vocabSize: 1 << 20,
        signal: controller.signal,
        onProgress: (p) => phases.push(p.phase),
        ...options,
      });
      setTimeout(() => controller.abort(new Error('cancelled')), ms);
      await expect(pending).rejects.toThrow('cancelled');
      return phases.at(-1);
    };
    expect(await abortAfter(1, {})).toBe('counting');
    // A large word table, counted instantly, so the abort lands in the merging phase.
    const words = new Map(
      Array.from({ length: 50_000 }, (_, i) => [`w${i * 7919}x${i}`, 1 + (i % 5)]),
    );
    expect(await abortAfter(50, { countWords: async () => words })).toBe('merging');
  });

  it('rejects a vocabulary too small for the bytes and the special tokens', async () => {
    await expect(
      trainBpe(['x'], { vocabSize: 257, specialTokens: ['<a>', '<b>'] }),
    ).rejects.toThrow(
      'trainBpe(options.vocabSize): it must hold the 256 byte tokens and 2 special tokens, so at least 258, received 257',
    );
    await expect(trainBpe(['x'], { vocabSize: 1.5e3 + 0.5 })).rejects.toThrow(
      'expected an integer from 256 to 16777216, received 1500.5',
    );
  });

  it('rejects bad special tokens, minFrequency, options and texts by name', async () => {
    const run = (options: object, input: unknown = ['x']) =>
      trainBpe(input as string[], { vocabSize: 300, ...options });
    await expect(run({ specialTokens: ['<a>', '<a>'] })).rejects.toThrow(
      'trainBpe(options.specialTokens[1]): expected a non-empty string not listed before, received "<a>"',
    );
    await expect(run({ specialTokens: '<a>' })).rejects.toThrow('options.specialTokens');
    await expect(run({ minFrequency: -1 })).rejects.toThrow('trainBpe(options.minFrequency)');
    await expect(run({ pattern: '' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(run({}, 'a text')).rejects.toThrow('wrap a single text in an array');
    await expect(run({}, ['ok', 7])).rejects.toThrow('countWords(texts[1])');
    await expect(trainBpe(['x'], null as never)).rejects.toThrow('trainBpe(options)');
  });
});
