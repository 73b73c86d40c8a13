import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fixture } from '../test/fixtures.js';
import { type StyleAttributes, styleAttributes, styleFeatures } from './styleFeatures.js';

interface MarkdownCase {
  text?: string;
  turns?: string[];
  headers: number;
  lists: number;
  bold: number;
}
const { markdown } = fixture<{ markdown: MarkdownCase[] }>('style.json');
const noTokens = { countTokens: () => 0 };

const attributes = fc.record({
  tokens: fc.nat({ max: 5000 }),
  headers: fc.nat({ max: 30 }),
  lists: fc.nat({ max: 50 }),
  bold: fc.nat({ max: 50 }),
});

describe('styleAttributes', () => {
  it("counts headers, list items and bold spans exactly as FastChat's Python regexes (423 texts)", () => {
    // Hand-written edge cases (CRLF, U+2028, NBSP, U+001C, U+FEFF, Arabic-Indic digits, code
    // blocks with repeated content) and random markdown soup, counted by Python's `re`.
    expect(markdown.length).toBeGreaterThan(400);
    for (const c of markdown) {
      const got = styleAttributes(c.turns ?? (c.text as string), noTokens);
      expect({ text: c.text, ...got, tokens: undefined }).toEqual({
        text: c.text,
        tokens: undefined,
        headers: c.headers,
        lists: c.lists,
        bold: c.bold,
      });
    }
  });

  it('counts named cases: Python line starts, whitespace and digits, and the code-block quirk', () => {
    const count = (text: string) => styleAttributes(text, noTokens);
    expect(count('# A\n## B\n#C\n####### D')).toMatchObject({ headers: 2 });
    // "\r" is no line start for Python's re.MULTILINE, U+001C is Python whitespace, U+FEFF is not.
    expect(count('x\r# A')).toMatchObject({ headers: 0 });
    expect(count('#\u001cB')).toMatchObject({ headers: 1 });
    expect(count('#\ufeffC')).toMatchObject({ headers: 0 });
    expect(count('1. a\n\u0662. b\n  - c\n-d')).toMatchObject({ lists: 3 });
    expect(count('**a** __b__ **\nc**')).toMatchObject({ bold: 2 });
    // FastChat deletes the text between fences wherever it occurs, and keeps the fences.
    expect(count('```\n# h\n```\n# h\n')).toMatchObject({ headers: 0 });
  });

  it('sums tokens over turns, counting each raw turn (code included)', () => {
    const seen: string[] = [];
    const counted = styleAttributes(['# Hi\n```x```', 'bye'], {
      countTokens: (text) => {
        seen.push(text);
        return text.length;
      },
    });
    expect(seen).toEqual(['# Hi\n```x```', 'bye']);
    expect(counted).toEqual({ tokens: 15, headers: 1, lists: 0, bold: 0 });
  });

  it('rejects answers that are not text and token counters that misbehave', () => {
    expect(() => styleAttributes(42 as never, noTokens)).toThrow(/styleAttributes\(answer\)/);
    expect(() => styleAttributes(['a', 3] as never, noTokens)).toThrow(/turn texts/);
    expect(() => styleAttributes('a', {} as never)).toThrow(/countTokens.*cl100k/);
    expect(() => styleAttributes(['a', 'b'], { countTokens: () => Number.NaN })).toThrow(
      /countTokens\(answer\[0\]\)/,
    );
    expect(() => styleAttributes('a', { countTokens: () => -1 })).toThrow(/countTokens/);
  });
});

describe('styleFeatures', () => {
  it("is FastChat's (a − b) / (a + b + 1) per attribute", () => {
    const a: StyleAttributes = { tokens: 300, headers: 2, lists: 6, bold: 0 };
    const b: StyleAttributes = { tokens: 100, headers: 0, lists: 6, bold: 4 };
    expect(styleFeatures(a, b)).toEqual({
      tokens: 200 / 401,
      headers: 2 / 3,
      lists: 0,
      bold: -4 / 5,
    });
    const texts = styleFeatures('# T\n- x', 'plain', { countTokens: (t) => t.length });
    expect(texts).toEqual({ tokens: 2 / 13, headers: 1 / 2, lists: 1 / 2, bold: 0 });
    expect(() => styleFeatures('text', b)).toThrow(/styleFeatures\(options\.countTokens\)/);
    expect(() => styleFeatures({ ...a, bold: -1 }, b)).toThrow(/answerA\.bold/);
  });

  it('is antisymmetric, zero for equal answers and inside (−1, 1) (properties)', () => {
    fc.assert(
      fc.property(attributes, attributes, (a, b) => {
        const ab = styleFeatures(a, b);
        const ba = styleFeatures(b, a);
        for (const key of ['tokens', 'headers', 'lists', 'bold'] as const) {
          expect(ab[key]).toBe(-ba[key] + 0);
          expect(Math.abs(ab[key])).toBeLessThan(1);
        }
        expect(styleFeatures(a, a)).toEqual({ tokens: 0, headers: 0, lists: 0, bold: 0 });
      }),
    );
  });
});
