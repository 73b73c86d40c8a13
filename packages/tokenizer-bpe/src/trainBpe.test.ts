import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { Tiktoken } from 'tiktoken';
import { Tokenizer } from 'tokenizers';
import { afterAll, describe, expect, it } from 'vitest';
import { corpus } from '../test/corpus.js';
import { huggingFaceIds, huggingFaceTokenizer } from '../test/huggingFace.js';
import type { BpeTokenizer } from './bpeTokenizer.js';
import { bytesToByteLevel } from './internal/byteLevel.js';
import { PATTERNS, type PatternName } from './preTokenizer.js';
import { trainBpe } from './trainBpe.js';

const fixtures = new URL('../test/fixtures/', import.meta.url);
const corpusText = readFileSync(new URL('corpus.txt', fixtures), 'utf8');
/** The corpus as Hugging Face's `Tokenizer.train` reads a file: lines, each with its "\n". */
const lines = corpusText.split(/(?<=\n)/);

interface ReferenceCase {
  pattern: PatternName;
  vocabSize: number;
  specialTokens: string[];
  minFrequency: number;
  vocabLength: number;
  merges: [string, string][];
}
const reference: { cases: ReferenceCase[] } = JSON.parse(
  readFileSync(new URL('train-reference.json', fixtures), 'utf8'),
);

/** The merges as pairs of byte-level strings, as `tokenizer.json` lists them. */
function mergeNames(tokenizer: BpeTokenizer): [string, string][] {
  return (tokenizer.merges ?? []).map(([a, b]) => [
    bytesToByteLevel(tokenizer.tokenToBytes(a)),
    bytesToByteLevel(tokenizer.tokenToBytes(b)),
  ]);
}

const scratch = mkdtempSync(join(tmpdir(), 'llmkit-train-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Merges from Hugging Face's native trainer (npm `tokenizers`), trained to exhaustion. */
function huggingFaceMerges(text: string, pattern: PatternName): [string, string][] {
  const json = {
    version: '1.0',
    added_tokens: [],
    normalizer: null,
    pre_tokenizer: {
      type: 'Sequence',
      pretokenizers: [
        { type: 'Split', pattern: { Regex: PATTERNS[pattern] }, behavior: 'Removed', invert: true },
        { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false },
      ],
    },
    post_processor: null,
    decoder: null,
    model: { type: 'BPE', dropout: null, unk_token: null, fuse_unk: false, vocab: {}, merges: [] },
  };
  const file = join(scratch, 'corpus.txt');
  writeFileSync(file, text);
  // The model's default trainer: vocabulary 30000, no minimum frequency, alphabet as seen.
  const tokenizer = Tokenizer.fromString(JSON.stringify(json));
  tokenizer.train([file]);
  const out = join(scratch, 'trained.json');
  tokenizer.save(out);
  return JSON.parse(readFileSync(out, 'utf8')).model.merges;
}

describe('trainBpe against Hugging Face BpeTrainer', () => {
  it.each(reference.cases)(
    'gives the merges of Python tokenizers for $pattern, vocabSize $vocabSize, minFrequency $minFrequency',
    async (c) => {
      const ours = await trainBpe(lines, c);
      expect(mergeNames(ours)).toEqual(c.merges);
      expect(ours.vocabSize).toBe(c.vocabLength);
      expect([...ours.specialTokens.keys()]).toEqual(c.specialTokens);
    },
  );

  it.each(['cl100k', 'o200k', 'r50k'] as const)(
    'gives the merges of the native trainer (npm tokenizers) to exhaustion with %s',
    async (pattern) => {
      const ours = await trainBpe(lines, { vocabSize: 30000, pattern });
      expect(mergeNames(ours)).toEqual(huggingFaceMerges(corpusText, pattern));
    },
  );

  it('gives the merges of the native trainer on generated corpora', async () => {
    const line = fc.string({ unit: 'grapheme', maxLength: 30 }).map((s) => `${s}\n`);
    await fc.assert(
      fc.asyncProperty(fc.array(line, { minLength: 1, maxLength: 20 }), async (parts) => {
        // Hugging Face reads the file line by line; give ours the same lines.
        const text = parts.join('');
        const ours = await trainBpe(text.split(/(?<=\n)/), { vocabSize: 30000, pattern: 'o200k' });
        expect(mergeNames(ours)).toEqual(huggingFaceMerges(text, 'o200k'));
      }),
      { numRuns: 25 },
    );
  });
});

describe('a trained tokenizer exported', () => {
  const text = fc.oneof(
    fc.string({ unit: 'grapheme', maxLength: 60 }),
    fc.string({ unit: 'binary', maxLength: 30 }),
    fc.stringMatching(/^[ a-zA-Z.,'\n]{0,80}$/),
  );

  it.each(['cl100k', 'o200k', 'r50k'] as const)(
    'to tokenizer.json loads in Hugging Face tokenizers and encodes identically (%s)',
    async (pattern) => {
      const ours = await trainBpe(lines, {
        vocabSize: 900,
        pattern,
        specialTokens: ['<|endoftext|>'],
      });
      const hf = huggingFaceTokenizer(ours.toHuggingFace());
      const all = { allowedSpecial: 'all' } as const;
      for (const section of [...corpus.values(), 'the end<|endoftext|>']) {
        expect(await huggingFaceIds(hf, section)).toEqual([...ours.encode(section, all)]);
      }
      await fc.assert(
        fc.asyncProperty(text, async (s) => {
          expect(await huggingFaceIds(hf, s)).toEqual([...ours.encode(s, all)]);
        }),
        { numRuns: 200 },
      );
    },
  );

  it.each(['cl100k', 'o200k', 'r50k'] as const)(
    'to a .tiktoken rank file loads in tiktoken and encodes identically (%s)',
    async (pattern) => {
      const ours = await trainBpe(lines, {
        vocabSize: 900,
        pattern,
        specialTokens: ['<|endoftext|>'],
      });
      const specials = Object.fromEntries(ours.specialTokens);
      const tiktoken = new Tiktoken(ours.toTiktoken(), specials, PATTERNS[pattern]);
      try {
        for (const section of [...corpus.values(), 'the end<|endoftext|>']) {
          expect([...tiktoken.encode(section, 'all')]).toEqual([
            ...ours.encode(section, { allowedSpecial: 'all' }),
          ]);
        }
        fc.assert(
          fc.property(text, (s) => {
            expect([...tiktoken.encode_ordinary(s)]).toEqual([...ours.encodeOrdinary(s)]);
          }),
          { numRuns: 300 },
        );
      } finally {
        tiktoken.free();
      }
    },
  );
});
