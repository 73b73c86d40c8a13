import { describe, expect, it } from 'vitest';
import { tokenizerJsonText } from '../../test/huggingFace.js';
import { ourEncoding, tiktokenAsTokenizer } from '../../test/references.js';
import { BpeTokenizer } from '../bpeTokenizer.js';
import type { Tokenizer } from '../tokenizer.js';
import {
  type PropertyParameters,
  type TokenizerPropertyName,
  tokenizerProperties,
} from './tokenizerProperties.js';

const suites = [
  ['our cl100k_base', () => ourEncoding('cl100k_base')],
  ['our o200k_base', () => ourEncoding('o200k_base')],
  ["tiktoken's own cl100k_base encoder", () => tiktokenAsTokenizer('cl100k_base')],
  ["tiktoken's own r50k_base encoder", () => tiktokenAsTokenizer('r50k_base')],
  ['our Llama 3 tokenizer.json', () => BpeTokenizer.fromHuggingFace(tokenizerJsonText('llama3'))],
] as const;

describe.each(suites)('the property suite on %s', (_, make) => {
  const tokenizer = make();
  it.each(tokenizerProperties(tokenizer).map((p) => [p.name, p] as const))(
    '%s',
    (_name, property) => {
      property.run({ numRuns: 60 });
    },
  );
});

describe('the property suite catches broken tokenizers', () => {
  const good = ourEncoding('r50k_base');
  const wrap = (overrides: Partial<Tokenizer>): Tokenizer => ({
    vocabSize: good.vocabSize,
    specialTokens: good.specialTokens,
    encode: (s, o) => good.encode(s, o),
    encodeBatch: (s, o) => good.encodeBatch(s, o),
    decode: (ids) => good.decode(ids),
    decodeBytes: (ids) => good.decodeBytes(ids),
    count: (s, o) => good.count(s, o),
    ...overrides,
  });
  const run = (t: Tokenizer, name: TokenizerPropertyName, parameters: PropertyParameters): void =>
    tokenizerProperties(t)
      .find((p) => p.name === name)!
      .run(parameters);

  it('a count that disagrees with encode', () => {
    const broken = wrap({
      count: (s) => good.count(s, { disallowedSpecial: [] }) + (s.length > 3 ? 1 : 0),
    });
    expect(() => run(broken, 'countMatchesEncode', { numRuns: 200 })).toThrow(
      /Reason: count \d+ ≠/,
    );
  });

  it('a decoder that drops a leading byte-order mark', () => {
    const stripping = new TextDecoder();
    const broken = wrap({ decode: (ids) => stripping.decode(good.decodeBytes(ids)) });
    expect(() => run(broken, 'roundTrip', { numRuns: 1, examples: [['\ufeffx']] })).toThrow(
      /Reason: decode\(encode/,
    );
  });

  it('a policy that lets special tokens through silently', () => {
    const broken = wrap({ encode: (s, o) => good.encode(s, { allowedSpecial: 'all', ...o }) });
    expect(() => run(broken, 'specialTokenPolicy', { numRuns: 20 })).toThrow(/did not throw/);
  });
});
