import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ourEncoding } from '../test/references.js';
import { StreamingDecoder } from './streamingDecoder.js';

describe('StreamingDecoder', () => {
  const t = ourEncoding('cl100k_base');

  it('holds back the first tokens of an emoji until it is complete', () => {
    const ids = [...t.encode('a😀')];
    expect(ids.length).toBeGreaterThan(2);
    const stream = new StreamingDecoder(t);
    const chunks = ids.map((id) => stream.push(id));
    expect(chunks[0]).toBe('a');
    expect(chunks.slice(1, -1).every((c) => c === '')).toBe(true);
    expect(chunks.at(-1)).toBe('😀');
    expect(stream.flush()).toBe('');
  });

  it('emits U+FFFD for a character left incomplete at the end, then starts afresh', () => {
    const ids = [...t.encode('😀')];
    const stream = new StreamingDecoder(t);
    expect(stream.push(ids.slice(0, -1))).toBe('');
    expect(stream.flush()).toBe('\ufffd');
    expect(stream.push(t.encode('ok'))).toBe('ok');
  });

  it('joins to decode(ids) however the ids are split', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 30 }), fc.nat({ max: 40 }), (s, cut) => {
        const ids = [...t.encode(s)];
        const stream = new StreamingDecoder(t);
        const joined =
          stream.push(ids.slice(0, cut)) + stream.push(ids.slice(cut)) + stream.flush();
        expect(joined).toBe(t.decode(ids));
      }),
    );
  });

  it('passes on a bad id as the tokenizer reports it', () => {
    expect(() => new StreamingDecoder(t).push(1e9)).toThrow(/ids\[0\]/);
  });
});
