import { describe, expect, it } from 'vitest';
import { asciiClass, compute } from './unicode.js';

describe('character classes', () => {
  it('writes out the ASCII classes exactly as the Unicode tables give them', () => {
    for (let cp = 0; cp < 128; cp++) expect(asciiClass(cp)).toBe(compute(cp));
  });
});
