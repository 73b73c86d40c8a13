import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { corpus } from '../test/corpus.js';
import { ENCODINGS, ourEncoding, tiktokenEncoding } from '../test/references.js';
import { BpeTokenizer } from './bpeTokenizer.js';
import { TokenizerError } from './tokenizerError.js';

const ordinary = { disallowedSpecial: [] as string[] };

describe.each(ENCODINGS)('%s matches tiktoken', (name) => {
  const ours = ourEncoding(name);
  const ref = tiktokenEncoding(name);
  const same = (text: string): void => {
    expect([...ours.encode(text, ordinary)]).toEqual([...ref.encode(text, [], [])]);
  };

  it.each([...corpus.keys()])('on the corpus section %s', (section) => {
    same(corpus.get(section)!);
  });

  it('on the whole corpus at once, and count agrees', () => {
    const all = [...corpus.values()].join('\n');
    same(all);
    expect(ours.count(all, ordinary)).toBe(ref.encode(all, [], []).length);
  });

  it('on generated strings of any code points, lone surrogates included', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (text) => same(text)),
      { numRuns: 300 },
    );
  });

  it('on generated strings built from the characters that steer the pattern', () => {
    const pieces = fc.constantFrom(
      ' ',
      '  ',
      '\n',
      '\r\n',
      '\t',
      '\u00a0',
      '\u3000',
      '\u0085',
      "'",
      "'s",
      "'S",
      "'ll",
      "'ſ",
      'a',
      'Z',
      'é',
      'e\u0301',
      'ǅ',
      'ʰ',
      '中',
      'の',
      '1',
      '٣',
      '①',
      '.',
      ',',
      '/',
      '-',
      '😀',
      '👍🏽',
      'HELLO',
      'world',
      'Word',
      '123456',
      '\u200d',
      '\ufeff',
    );
    fc.assert(
      fc.property(fc.array(pieces, { maxLength: 30 }), (parts) => same(parts.join(''))),
      { numRuns: 400 },
    );
  });

  it('on long runs that are quadratic for a naive merge', () => {
    for (const text of ['a'.repeat(4200), ' '.repeat(2000), '中'.repeat(1500), 'ab'.repeat(2100)]) {
      same(text);
      same(`x${text}y`);
    }
  });

  it('decodes what tiktoken decodes, byte for byte', () => {
    const all = [...corpus.values()].join('\n');
    const ids = ref.encode(all, [], []);
    expect(ours.decodeBytes(ids)).toEqual(ref.decode(ids));
    expect(ours.decode(ids)).toBe(all.replace(/[\ud800-\udfff]/gu, '\ufffd'));
  });
});

describe('special tokens (tiktoken semantics)', () => {
  const cl100k = ourEncoding('cl100k_base');
  const ref = tiktokenEncoding('cl100k_base');
  const text = 'a<|endoftext|>b<|fim_prefix|>c';

  it('throws by default, naming the token and the fix', () => {
    expect(() => cl100k.encode(text)).toThrow(
      /special token "<\|endoftext\|>" at index 1.*allowedSpecial/,
    );
    expect(() => cl100k.count(text)).toThrow(TokenizerError);
    try {
      cl100k.encode(text);
    } catch (error) {
      expect((error as TokenizerError).code).toBe('DISALLOWED_SPECIAL_TOKEN');
    }
  });

  it('encodes allowed ones as their ids, like tiktoken', () => {
    expect([...cl100k.encode(text, { allowedSpecial: 'all' })]).toEqual([
      ...ref.encode(text, 'all'),
    ]);
    expect([
      ...cl100k.encode(text, { allowedSpecial: ['<|endoftext|>'], disallowedSpecial: [] }),
    ]).toEqual([...ref.encode(text, ['<|endoftext|>'], [])]);
    expect(cl100k.count(text, { allowedSpecial: 'all' })).toBe(ref.encode(text, 'all').length);
  });

  it('still throws for a special token that is allowed in part only', () => {
    expect(() => cl100k.encode(text, { allowedSpecial: ['<|endoftext|>'] })).toThrow(
      /<\|fim_prefix\|>/,
    );
  });

  it('encodes disallowed-list exemptions as ordinary text', () => {
    expect([...cl100k.encode(text, { disallowedSpecial: [] })]).toEqual([
      ...ref.encode(text, [], []),
    ]);
  });

  it('rejects names that are not special tokens', () => {
    expect(() => cl100k.encode('x', { allowedSpecial: ['<|nope|>'] })).toThrow(
      /not a special token/,
    );
    expect(() => cl100k.encode('x', { allowedSpecial: 'nope' as unknown as string[] })).toThrow(
      /iterable/,
    );
  });

  it('decodes special ids to their text', () => {
    expect(cl100k.decode(cl100k.encode(text, { allowedSpecial: 'all' }))).toBe(text);
  });
});

describe('decode', () => {
  it('equals decoding all the bytes at once, for any ids (broken UTF-8 included)', () => {
    const t = ourEncoding('cl100k_base');
    const bytesDecoder = new TextDecoder('utf-8', { ignoreBOM: true });
    const id = fc.oneof(
      fc.integer({ min: 0, max: 255 }), // single bytes: continuation and lead bytes too
      fc.integer({ min: 0, max: 100255 }),
      fc.constantFrom(100257, 100276), // special tokens
    );
    fc.assert(
      fc.property(fc.array(id, { maxLength: 40 }), (ids) => {
        expect(t.decode(ids)).toBe(bytesDecoder.decode(t.decodeBytes(ids)));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('lone surrogates', () => {
  it('encode as U+FFFD, as tiktoken and every peer do', () => {
    const t = ourEncoding('cl100k_base');
    expect([...t.encode('a\ud800b\udc00')]).toEqual([...t.encode('a\ufffdb\ufffd')]);
    expect(t.decode(t.encode('x\udbff'))).toBe('x\ufffd');
  });
});

describe('bad input', () => {
  const t = ourEncoding('r50k_base');
  it('names the argument of a non-string text', () => {
    expect(() => t.encode(42 as unknown as string)).toThrow(
      /encode\(text\): expected a string, received 42/,
    );
    expect(() => t.count(null as unknown as string)).toThrow(/count\(text\)/);
    expect(() => t.encodeBatch('x' as unknown as string[])).toThrow(/encodeBatch\(texts\)/);
  });
  it('names the position and value of a bad id in decode', () => {
    expect(() => t.decode([1, 2, 999999])).toThrow(/decode\(ids\[2\]\): 999999 is not a token id/);
    expect(() => t.decode([1.5])).toThrow(/ids\[0\]/);
    expect(() => t.decodeBytes([-1])).toThrow(/decodeBytes\(ids\[0\]\)/);
    expect(() => t.decode('abc' as unknown as number[])).toThrow(/expected an array/);
  });
});

describe('BpeTokenizer from tokens and merges', () => {
  const bytes = Array.from({ length: 256 }, (_, b) => Uint8Array.of(b));
  const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
  const tokens = [...bytes, enc('ab'), enc('abc'), enc('bc')];

  it('applies only the listed merges, in priority order', () => {
    const t = new BpeTokenizer({
      tokens,
      merges: [
        [98, 99],
        [97, 98],
      ],
      pattern: 'cl100k',
    });
    // 'bc' merges first, then 'a'+'bc' is no merge: [a, bc].
    expect([...t.encode('abc')]).toEqual([97, 258]);
    const ranks = new BpeTokenizer({ tokens, pattern: 'cl100k' });
    expect([...ranks.encode('abc')]).toEqual([257]);
  });

  it('rejects merges that name unknown tokens or make no token', () => {
    expect(() => new BpeTokenizer({ tokens, merges: [[97, 999]], pattern: 'r50k' })).toThrow(
      /merges\[0\]/,
    );
    expect(() => new BpeTokenizer({ tokens, merges: [[99, 97]], pattern: 'r50k' })).toThrow(
      /not a token/,
    );
  });

  it('rejects a vocabulary without every byte, and special ids that collide', () => {
    expect(() => new BpeTokenizer({ tokens: tokens.slice(1), pattern: 'r50k' })).toThrow(
      /byte 0x.. has no token/,
    );
    expect(
      () => new BpeTokenizer({ tokens, pattern: 'r50k', specialTokens: { '<s>': 3 } }),
    ).toThrow(/already an ordinary token/);
  });
});

describe('the pre-token cache', () => {
  it('gives the same ids when it is tiny and keeps being emptied', () => {
    const base = ourEncoding('o200k_base');
    const tiny = new BpeTokenizer({
      tokens: base.tokenBytes,
      pattern: base.preTokenizer,
      specialTokens: base.specialTokens,
      cacheSize: 3,
    });
    const text = [...corpus.values()].join('\n');
    expect(tiny.encode(text, ordinary)).toEqual(base.encode(text, ordinary));
    expect(tiny.encode(text, ordinary)).toEqual(base.encode(text, ordinary));
    expect(tiny.count(text, ordinary)).toBe(base.count(text, ordinary));
  });
});
