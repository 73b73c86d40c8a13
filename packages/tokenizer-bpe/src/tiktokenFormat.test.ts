import { describe, expect, it } from 'vitest';
import { corpus } from '../test/corpus.js';
import { ourEncoding, tiktokenJson } from '../test/references.js';
import { BpeTokenizer } from './bpeTokenizer.js';

const text = [...corpus.values()].join('\n');
const ordinary = { disallowedSpecial: [] as string[] };

describe('tiktoken formats', () => {
  it('round-trips through a .tiktoken rank file', () => {
    const ours = ourEncoding('o200k_base');
    const file = ours.toTiktoken();
    expect(file.split('\n')[0]).toBe('IQ== 0');
    const back = BpeTokenizer.fromTiktoken(file, {
      pattern: 'o200k',
      specialTokens: Object.fromEntries(ours.specialTokens),
    });
    expect(back.encode(text, ordinary)).toEqual(ours.encode(text, ordinary));
    expect(back.vocabSize).toBe(ours.vocabSize);
  });

  it('reads the npm packages JSON as an object or as text', () => {
    const json = tiktokenJson('r50k_base');
    const fromText = BpeTokenizer.fromTiktoken(JSON.stringify(json));
    expect(fromText.encode(text, ordinary)).toEqual(
      ourEncoding('r50k_base').encode(text, ordinary),
    );
    expect(fromText.specialTokens.get('<|endoftext|>')).toBe(50256);
    expect(fromText.preTokenizer.name).toBe('r50k');
  });

  it('keeps special tokens named like Object members as plain data', () => {
    const file = ourEncoding('r50k_base').toTiktoken();
    const t = BpeTokenizer.fromTiktoken(file, {
      pattern: 'r50k',
      specialTokens: JSON.parse('{"__proto__": 50257, "constructor": 50258}'),
    });
    expect([...t.encode('a__proto__b constructor', { allowedSpecial: 'all' })]).toEqual([
      ...t.encode('a', ordinary),
      50257,
      ...t.encode('b ', ordinary),
      50258,
    ]);
    expect(({} as Record<string, unknown>).constructor).toBe(Object);
  });

  const lines = (...l: string[]): string => `${l.join('\n')}\n`;
  const bytes = Array.from({ length: 256 }, (_, b) => `${btoa(String.fromCharCode(b))} ${b}`);

  it.each([
    [lines(...bytes, 'QUJD'), /line 257: expected "<base64> <rank>"/],
    [lines(...bytes, 'QUJD 12x'), /line 257/],
    [lines(...bytes, 'QU!D 300'), /line 257: "QU!D" is not valid base64/],
    [lines(...bytes, 'QUJD 10'), /line 257: rank 10 is also given on line 11/],
    [lines(...bytes, 'QUJD 99999999'), /rank 99999999 exceeds maxRank/],
    [lines(...bytes, 'QQ== 300'), /tokens 65 and 300 have the same bytes/],
    [lines(...bytes.slice(1)), /byte 0x00 has no token/],
  ])('rejects a malformed rank file with the line (%#)', (source, message) => {
    expect(() => BpeTokenizer.fromTiktoken(source, { pattern: 'r50k' })).toThrow(message);
  });

  it('needs a pattern for a rank file, and enforces the size limit', () => {
    expect(() => BpeTokenizer.fromTiktoken(lines(...bytes))).toThrow(/options\.pattern/);
    expect(() =>
      BpeTokenizer.fromTiktoken(lines(...bytes), { pattern: 'r50k', maxSourceLength: 100 }),
    ).toThrow(/maxSourceLength/);
    expect(() =>
      BpeTokenizer.fromTiktoken({ pat_str: 'x', special_tokens: {}, bpe_ranks: 7 } as never),
    ).toThrow(/source\.bpe_ranks/);
    expect(() =>
      BpeTokenizer.fromTiktoken({ pat_str: '\\s', special_tokens: { x: -1 }, bpe_ranks: '' }),
    ).toThrow(/special_tokens\["x"\]/);
  });
});

describe('the llmkit JSON format', () => {
  it('round-trips through JSON.stringify, with ranks or with merges', () => {
    for (const t of [
      ourEncoding('cl100k_base'),
      BpeTokenizer.fromHuggingFace(ourEncoding('r50k_base').toHuggingFace()),
    ]) {
      const back = BpeTokenizer.fromJSON(JSON.stringify(t));
      expect(back.encode(text, ordinary)).toEqual(t.encode(text, ordinary));
      expect([...back.specialTokens]).toEqual([...t.specialTokens]);
      expect(back.merges?.length).toBe(t.merges?.length);
    }
  });

  it('rejects other formats and versions by name', () => {
    expect(() => BpeTokenizer.fromJSON('{"format": "x"}')).toThrow(/json\.format/);
    expect(() => BpeTokenizer.fromJSON('{"format": "llmkit-bpe", "version": 2}')).toThrow(
      /version 2 is not readable/,
    );
    const good = ourEncoding('r50k_base').toJSON();
    expect(() => BpeTokenizer.fromJSON({ ...good, tokens: ['!!'] })).toThrow(/json\.tokens\[0\]/);
  });
});
