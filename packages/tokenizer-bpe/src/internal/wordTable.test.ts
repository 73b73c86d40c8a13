import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WordTable } from './wordTable.js';

const utf8 = (s: string) => new TextEncoder().encode(s).length;

function tally(words: readonly string[]): WordTable {
  const table = new WordTable();
  // Each word is added as a slice of a longer text, as the counting pass does.
  for (const word of words) table.add(`«${word}»`, 1, 1 + word.length);
  return table;
}

function reference(words: readonly string[], times = 1): Map<string, number> {
  const map = new Map<string, number>();
  for (const w of words) map.set(w, (map.get(w) ?? 0) + times);
  return map;
}

describe('WordTable', () => {
  it('counts like a Map, through growth and hash collisions, and tracks UTF-8 bytes', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'grapheme-composite', maxLength: 6 })), (words) => {
        const table = tally(words);
        expect(table.toMap()).toEqual(reference(words));
        expect(table.size).toBe(new Set(words).size);
        expect(table.bytes).toBe(words.reduce((n, w) => n + utf8(w), 0));
      }),
    );
    const many = Array.from({ length: 20_000 }, (_, i) => `w${i % 7001}`);
    expect(tally(many).toMap()).toEqual(reference(many));
  });

  it('adds up tables sent as arrays, as worker threads do', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ maxLength: 5 })),
        fc.array(fc.string({ maxLength: 5 })),
        (a, b) => {
          const total = tally(a);
          total.addAll(tally(b).data());
          total.addAll(tally(b).data());
          const expected = reference(a);
          for (const [w, n] of reference(b, 2)) expected.set(w, (expected.get(w) ?? 0) + n);
          expect(total.toMap()).toEqual(expected);
          expect(total.bytes).toBe([...a, ...b, ...b].reduce((n, w) => n + utf8(w), 0));
        },
      ),
    );
  });

  it('keeps long words whole', () => {
    const long = 'é'.repeat(10_000);
    expect([...tally([long, long]).toMap()]).toEqual([[long, 2]]);
  });
});
