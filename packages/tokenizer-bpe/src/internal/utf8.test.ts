import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeUtf8, encodeUtf8Into } from './utf8.js';

const reference = new TextDecoder('utf-8', { ignoreBOM: true });

describe('decodeUtf8', () => {
  it('equals TextDecoder on any bytes (invalid sequences, BOM and surrogates included)', () => {
    // Bytes drawn mostly from the interesting ranges: lead bytes, continuation bytes, the
    // boundaries E0/ED/F0/F4 that narrow the next byte's range, and bytes that never occur.
    const byte = fc.oneof(
      fc.integer({ min: 0, max: 255 }),
      fc.integer({ min: 0x80, max: 0xbf }),
      fc.constantFrom(0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff, 0x9f, 0xa0),
    );
    fc.assert(
      fc.property(fc.array(byte, { maxLength: 64 }), (bytes) => {
        const array = Uint8Array.from(bytes);
        expect(decodeUtf8(array)).toBe(reference.decode(array));
      }),
      { numRuns: 5000 },
    );
  });

  it('round-trips well-formed text, a byte-order mark kept', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (s) => {
        const text = `\ufeff${s}`;
        const bytes = new Uint8Array(text.length * 3);
        expect(decodeUtf8(bytes.subarray(0, encodeUtf8Into(text, 0, text.length, bytes)))).toBe(
          text,
        );
      }),
    );
  });

  it('decodes inputs longer than one slice of code units', () => {
    const text = 'aé😀'.repeat(3000);
    const bytes = new TextEncoder().encode(text);
    expect(decodeUtf8(bytes)).toBe(text);
    expect(decodeUtf8(bytes.subarray(1, bytes.length - 1))).toBe(
      reference.decode(bytes.subarray(1, bytes.length - 1)),
    );
  });
});
