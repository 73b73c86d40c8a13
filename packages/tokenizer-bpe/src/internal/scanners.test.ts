import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PATTERNS, type PatternName, PreTokenizer } from '../preTokenizer.js';
import { translateTiktokenRegex } from './tiktokenRegex.js';
import { toWellFormed } from './utf8.js';

/** The pieces a JavaScript translation of the pattern finds (all matches, gaps dropped). */
function regexPieces(pattern: string, text: string): string[] {
  return [...text.matchAll(new RegExp(translateTiktokenRegex(pattern), 'gu'))].map((m) => m[0]);
}

const steering = fc.constantFrom(
  ' ',
  '  ',
  '\n',
  '\r',
  '\t',
  '\u00a0',
  '\u0085',
  '\ufeff',
  "'",
  "'s",
  "'T",
  "'lL",
  "'ſ",
  'a',
  'Z',
  'ǅ',
  'ʰ',
  'ª',
  '\u0301',
  'é',
  '中',
  '1',
  '²',
  '①',
  '.',
  '/',
  '😀',
  '𝐀',
  '𝐚',
  'HELLO',
  'wOrLd',
);
const texts = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 30 }).map(toWellFormed),
  fc.array(steering, { maxLength: 25 }).map((parts) => parts.join('')),
);

describe.each(Object.keys(PATTERNS) as PatternName[])('the %s scanner', (name) => {
  const pre = new PreTokenizer(name);
  it('splits exactly as the regex does', () => {
    fc.assert(
      fc.property(texts, (text) => {
        expect(pre.split(text)).toEqual(regexPieces(PATTERNS[name], text));
      }),
      { numRuns: 500 },
    );
  });

  it('tiles the text: the pieces join back to it', () => {
    fc.assert(fc.property(texts, (text) => pre.split(text).join('') === text));
  });
});

describe('PreTokenizer', () => {
  it('splits cl100k text like tiktoken', () => {
    expect(new PreTokenizer('cl100k').split("Hello world's  end\n\n  x")).toEqual([
      'Hello',
      ' world',
      "'s",
      ' ',
      ' end',
      '\n\n',
      ' ',
      ' x',
    ]);
  });

  it('recognises the patterns by their text, js-tiktoken spellings included', () => {
    expect(new PreTokenizer(PATTERNS.o200k).name).toBe('o200k');
    expect(
      new PreTokenizer(
        PATTERNS.cl100k.replace(
          "(?i:'s|'t|'re|'ve|'m|'ll|'d)",
          "('s|'S|'t|'T|'re|'rE|'Re|'RE|'ve|'vE|'Ve|'VE|'m|'M|'ll|'lL|'Ll|'LL|'d|'D)",
        ),
      ).name,
    ).toBe('cl100k');
  });

  it('runs other patterns through a translated regex, dropping or keeping gaps', () => {
    const words = new PreTokenizer('\\w+');
    expect(words.usesRegex).toBe(true);
    expect(words.split('ab, cd!')).toEqual(['ab', 'cd']);
    expect(new PreTokenizer('\\w+', { gaps: 'keep' }).split('ab, cd!')).toEqual([
      'ab',
      ', ',
      'cd',
      '!',
    ]);
  });

  it('rejects an empty or non-string pattern', () => {
    expect(() => new PreTokenizer('')).toThrow(/PreTokenizer\(pattern\)/);
    expect(() => new PreTokenizer(3 as unknown as string)).toThrow(/received number/);
  });
});
