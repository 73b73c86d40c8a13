import { describe, expect, it } from 'vitest';
import { translateTiktokenRegex } from './tiktokenRegex.js';

const matches = (pattern: string, text: string): string[] =>
  [...text.matchAll(new RegExp(translateTiktokenRegex(pattern), 'gu'))].map((m) => m[0]);

describe('translateTiktokenRegex', () => {
  it("uses Rust's Unicode \\s (U+0085 yes, U+FEFF no), \\d and \\w", () => {
    expect(matches('\\s+', 'a\u0085\ufeffb')).toEqual(['\u0085']);
    expect(matches('\\d+', 'x٣٤5')).toEqual(['٣٤5']);
    expect(matches('\\w+', 'é_1!')).toEqual(['é_1']);
    expect(matches('[^\\s]+', 'a b')).toEqual(['a', 'b']);
  });

  it('expands (?i:…) to case-folding orbits, ſ and K included', () => {
    expect(matches("(?i:'s|k)", "'S 'ſ K k 'x")).toEqual(["'S", "'ſ", 'K', 'k']);
    expect(matches('(?i)ab', 'AB aB')).toEqual(['AB', 'aB']);
  });

  it('emulates possessive quantifiers and atomic groups', () => {
    // `a++a` can never match: the possessive run gives nothing back.
    expect(matches('a++a|b', 'aaab')).toEqual(['b']);
    expect(matches('(?>a+)b', 'aab')).toEqual(['aab']);
    expect(matches('\\s++$|\\s', ' x  ')).toEqual([' ', '  ']);
    expect(matches('\\p{N}{1,3}+', '12345')).toEqual(['123', '45']);
  });

  it('keeps lookarounds, anchors, escapes and classes', () => {
    expect(matches('\\s+(?!\\S)', '   x')).toEqual(['  ']);
    expect(matches('(?<=a)b', 'abcb')).toEqual(['b']);
    expect(matches('[\\r\\n/]+|\\x{41}|\\.', 'A/\n.')).toEqual(['A', '/\n', '.']);
    expect(matches('\\pL+', 'ab1')).toEqual(['ab']);
    expect(matches('\\p{Han}+', '漢字abc')).toEqual(['漢字']);
    expect(matches('.', '\r\n')).toEqual(['\r']);
    expect(matches('(?P<w>a)(b)', 'ab')).toEqual(['ab']);
  });

  it('rejects what JavaScript cannot express, saying where', () => {
    expect(() => translateTiktokenRegex('(a)\\1')).toThrow(/backreference at offset 5/);
    expect(() => translateTiktokenRegex('[[:alpha:]]')).toThrow(/POSIX/);
    expect(() => translateTiktokenRegex('[a-z&&[^x]]')).toThrow(/set operation/);
    expect(() => translateTiktokenRegex('(?s).')).toThrow(/inline flags/);
    expect(() => translateTiktokenRegex('a)')).toThrow(/unmatched/);
    expect(() => translateTiktokenRegex('(a')).toThrow(/unclosed group/);
    expect(() => translateTiktokenRegex('\\p{NotAProperty}')).toThrow(/Unicode property/);
    expect(() => translateTiktokenRegex('(?i:[a-z])')).toThrow(/case-insensitive character class/);
  });
});
