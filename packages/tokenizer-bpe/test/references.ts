/**
 * Reference tokenizers for tests: tiktoken's WASM encoder (the oracle), and ours built from the
 * rank data that the `tiktoken` npm package ships. Both are devDependencies; nothing from them
 * ships in this package.
 */
import { createRequire } from 'node:module';
import { get_encoding, type Tiktoken, type TiktokenEncoding } from 'tiktoken';
import { BpeTokenizer } from '../src/bpeTokenizer.js';
import type { TiktokenJson } from '../src/tiktokenFormat.js';
import type { EncodeOptions, Tokenizer } from '../src/tokenizer.js';

const require = createRequire(import.meta.url);

/** The encodings compared against tiktoken. */
export const ENCODINGS = ['r50k_base', 'p50k_base', 'cl100k_base', 'o200k_base'] as const;
export type EncodingName = (typeof ENCODINGS)[number];

/** The `{pat_str, special_tokens, bpe_ranks}` object of an encoding, from the tiktoken package. */
export function tiktokenJson(name: EncodingName): TiktokenJson {
  return require(`tiktoken/encoders/${name}.json`) as TiktokenJson;
}

const ours = new Map<EncodingName, BpeTokenizer>();
/** Our tokenizer for an encoding (built once per test file). */
export function ourEncoding(name: EncodingName): BpeTokenizer {
  let t = ours.get(name);
  if (t === undefined) {
    t = BpeTokenizer.fromTiktoken(tiktokenJson(name));
    ours.set(name, t);
  }
  return t;
}

const theirs = new Map<EncodingName, Tiktoken>();
/** tiktoken's WASM encoder for an encoding (kept for the whole test file). */
export function tiktokenEncoding(name: EncodingName): Tiktoken {
  let t = theirs.get(name);
  if (t === undefined) {
    t = get_encoding(name as TiktokenEncoding);
    theirs.set(name, t);
  }
  return t;
}

function specialList(value: EncodeOptions['allowedSpecial'], all: string[]): string[] | 'all' {
  if (value === 'all') return 'all';
  return [...(value ?? [])].filter((s) => all.includes(s));
}

/** tiktoken's encoder seen through our `Tokenizer` interface. */
export function tiktokenAsTokenizer(name: EncodingName): Tokenizer {
  const enc = tiktokenEncoding(name);
  const specials = new Map(Object.entries(tiktokenJson(name).special_tokens));
  const all = [...specials.keys()];
  const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  const tokenizer: Tokenizer = {
    // The special tokens have the largest ids in these encodings.
    vocabSize: Math.max(...specials.values()) + 1,
    specialTokens: specials,
    encode: (text, options) =>
      enc.encode(
        text,
        specialList(options?.allowedSpecial, all),
        options?.disallowedSpecial === undefined || options.disallowedSpecial === 'all'
          ? 'all'
          : specialList(options.disallowedSpecial, all),
      ),
    encodeBatch: (texts, options) => texts.map((t) => tokenizer.encode(t, options)),
    decodeBytes: (ids) => enc.decode(Uint32Array.from(ids)),
    decode: (ids) => decoder.decode(enc.decode(Uint32Array.from(ids))),
    count: (text, options) => tokenizer.encode(text, options).length,
  };
  return tokenizer;
}
