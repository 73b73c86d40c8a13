import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TokenBytes } from './tokenBytes.js';

/** Distinct non-empty byte strings (short ones and some past eight bytes), some ids left unused. */
const vocabulary = fc
  .uniqueArray(fc.uint8Array({ minLength: 1, maxLength: 20 }), {
    minLength: 1,
    maxLength: 300,
    selector: (bytes) => bytes.join(','),
  })
  .chain((tokens) =>
    fc
      .array(fc.boolean(), { minLength: tokens.length, maxLength: tokens.length })
      .map((holes) => tokens.flatMap((t, i) => (holes[i] ? [undefined, t] : [t]))),
  );

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

describe('TokenBytes', () => {
  it('finds every token by its bytes, and nothing else', () => {
    fc.assert(
      fc.property(vocabulary, fc.uint8Array({ maxLength: 12 }), (tokens, other) => {
        const vocab = TokenBytes.fromArray(tokens);
        const ids = new Map<string, number>();
        tokens.forEach((t, id) => {
          if (t === undefined) return;
          ids.set(t.join(','), id);
          expect(vocab.lookup(t, 0, t.length)).toBe(id);
          expect([...vocab.bytes(id)]).toEqual([...t]);
        });
        expect(vocab.count).toBe(ids.size);
        expect(vocab.maxLength).toBe(Math.max(...tokens.map((t) => t?.length ?? 0)));
        expect(vocab.lookup(other, 0, other.length)).toBe(ids.get(other.join(',')) ?? -1);
      }),
      { numRuns: 300 },
    );
  });

  it('answers the same once many lookups have built its filter', () => {
    const tokens = Array.from({ length: 3000 }, (_, i) =>
      Uint8Array.of(i & 255, i >> 8, ...Array.from({ length: i % 13 }, (_, k) => (i * k) & 255)),
    );
    const vocab = TokenBytes.fromArray(tokens);
    // Before, at and after the filter's build (at the 4096th lookup, here one of a token),
    // every answer is the same.
    for (let round = 0; round < 3; round++) {
      tokens.forEach((t, id) => {
        const other = Uint8Array.of(...t, 255, 254);
        expect(vocab.lookup(other, 0, other.length)).toBe(-1);
        expect(vocab.lookup(t, 0, t.length)).toBe(id);
      });
    }
  });

  it('gathers the bytes of ids into buffers of any size, stopping where they do not fit', () => {
    fc.assert(
      fc.property(
        vocabulary,
        fc.array(fc.nat(), { maxLength: 60 }),
        fc.integer({ min: 0, max: 200 }),
        fc.nat(3),
        (tokens, picks, capacity, at) => {
          const vocab = TokenBytes.fromArray(tokens);
          const present = tokens.flatMap((t, id) => (t === undefined ? [] : [id]));
          const ids = picks.map((p) => present[p % present.length]!);
          const out = new Uint8Array(capacity + at);
          const end = vocab.gather(ids, 0, ids.length, out, at);
          const k = vocab.gathered;
          // Everything before the stop was copied, and the id at the stop did not fit.
          expect([...out.subarray(at, end)]).toEqual([
            ...concat(ids.slice(0, k).map((id) => tokens[id]!)),
          ]);
          if (k < ids.length) expect(end + vocab.lengthOf(ids[k]!)).toBeGreaterThan(out.length);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('stops gathering at an id that is not a token', () => {
    const vocab = TokenBytes.fromArray([Uint8Array.of(1), undefined, Uint8Array.of(2, 3)]);
    const out = new Uint8Array(64);
    for (const bad of [1, 3, -1, 0.5, Number.NaN]) {
      expect(vocab.gather([0, 2, bad, 0], 0, 4, out, 0)).toBe(3);
      expect(vocab.gathered).toBe(2);
    }
  });

  it('rejects two ids with the same bytes, naming both', () => {
    const tokens = Array.from({ length: 5000 }, (_, i) => Uint8Array.of(i & 255, i >> 8, 7));
    tokens.push(Uint8Array.of(9, 3, 7));
    expect(() => TokenBytes.fromArray(tokens)).toThrow(/tokens 777 and 5000 have the same bytes/);
  });
});
