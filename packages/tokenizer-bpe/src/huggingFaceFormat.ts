/**
 * Hugging Face `tokenizer.json` files with a byte-level BPE model (GPT-2, RoBERTa-style files
 * without options this package lacks, Llama 3, GPT-4o conversions): loading and saving.
 *
 * Read: `model` (`type: "BPE"`, `vocab`, `merges` as `"a b"` strings or `["a", "b"]` pairs,
 * `ignore_merges`), `added_tokens` (all become special tokens), `pre_tokenizer` (`ByteLevel`,
 * `Split` with a regex, or a `Sequence` of a `Split` and a `ByteLevel` without regex — the Llama 3
 * and GPT-4o layout), and `decoder` (`ByteLevel`). `post_processor`, `truncation` and `padding`
 * are not applied: `encode` returns the text's ids without added BOS/EOS tokens. Anything else
 * that would change the ids is rejected by name rather than ignored. Vocabularies are read into
 * `Map`s, so tokens such as `__proto__` are plain data.
 */
import type { BpeTokenizerInit } from './bpeTokenizer.js';
import { byteLevelToBytes, bytesToByteLevel } from './internal/byteLevel.js';
import { deriveMerges } from './internal/deriveMerges.js';
import { PreTokenizer } from './preTokenizer.js';
import type { TokenBytes } from './tokenBytes.js';
import { TokenizerError } from './tokenizerError.js';

const FN = 'BpeTokenizer.fromHuggingFace';

/** Options of `BpeTokenizer.fromHuggingFace`. @public */
export interface FromHuggingFaceOptions {
  /**
   * Largest accepted JSON text, in UTF-16 code units.
   * @defaultValue 134217728 (128 Mi)
   */
  readonly maxSourceLength?: number;
  /**
   * Largest accepted token id.
   * @defaultValue 4194303
   */
  readonly maxTokenId?: number;
}

type Json = unknown;

function fail(
  path: string,
  detail: string,
  code: 'INVALID_FORMAT' | 'UNSUPPORTED' = 'INVALID_FORMAT',
): never {
  throw new TokenizerError({ code, fn: FN, argument: path, detail });
}

function isObject(value: Json): value is Record<string, Json> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function objectAt(value: Json, path: string): Record<string, Json> {
  if (!isObject(value))
    fail(
      path,
      `expected an object, found ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}.`,
    );
  return value;
}

function unsupported(path: string, what: string): never {
  return fail(
    path,
    `${what} is not supported by this byte-level BPE reader, and ignoring it would change the ids.`,
    'UNSUPPORTED',
  );
}

/** `{pattern, gaps}` from a `Split` pre-tokenizer. */
function splitPattern(split: Record<string, Json>, path: string): PreTokenizer {
  const pattern = objectAt(split.pattern, `${path}.pattern`);
  let source: string;
  if (typeof pattern.Regex === 'string') source = pattern.Regex;
  else if (typeof pattern.String === 'string')
    source = pattern.String.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
  else return fail(`${path}.pattern`, 'expected {"Regex": "…"} or {"String": "…"}.');
  const behavior = split.behavior;
  const invert = split.invert === true;
  // Isolated keeps both matches and the text between them; Removed with invert keeps matches only.
  if (behavior === 'Isolated' && !invert) return new PreTokenizer(source, { gaps: 'keep' });
  if (behavior === 'Removed' && invert) return new PreTokenizer(source, { gaps: 'drop' });
  return unsupported(
    `${path}.behavior`,
    `Split behavior ${JSON.stringify(behavior)} with invert ${invert}`,
  );
}

function byteLevel(
  value: Record<string, Json>,
  path: string,
  regexAllowed: boolean,
): PreTokenizer | null {
  if (value.add_prefix_space === true)
    unsupported(`${path}.add_prefix_space`, 'add_prefix_space: true');
  const useRegex = value.use_regex !== false;
  if (useRegex && !regexAllowed)
    unsupported(`${path}.use_regex`, 'a ByteLevel regex after a Split');
  return useRegex ? new PreTokenizer('r50k') : null;
}

function preTokenizerOf(value: Json, path: string): PreTokenizer {
  const pre = objectAt(value, path);
  if (pre.type === 'ByteLevel') return byteLevel(pre, path, true)!;
  if (pre.type === 'Split') return splitPattern(pre, path);
  if (pre.type === 'Sequence' && Array.isArray(pre.pretokenizers)) {
    let result: PreTokenizer | null = null;
    pre.pretokenizers.forEach((item, i) => {
      const itemPath = `${path}.pretokenizers[${i}]`;
      const step = objectAt(item, itemPath);
      if (step.type === 'Split' && result === null) result = splitPattern(step, itemPath);
      else if (step.type === 'ByteLevel') {
        const own = byteLevel(step, itemPath, result === null);
        if (own !== null) result = own;
      } else
        unsupported(
          `${itemPath}.type`,
          `pre-tokenizer ${JSON.stringify(step.type)} in this position`,
        );
    });
    if (result === null)
      return fail(path, 'the sequence has no Split and no ByteLevel with a regex.');
    return result;
  }
  return unsupported(`${path}.type`, `pre-tokenizer ${JSON.stringify(pre.type)}`);
}

/** The constructor arguments that a `tokenizer.json` describes. */
export function parseHuggingFace(
  source: string | object,
  options: FromHuggingFaceOptions = {},
): BpeTokenizerInit {
  const maxLength = options.maxSourceLength ?? 128 * 1024 * 1024;
  const maxId = options.maxTokenId ?? 4194303;
  let root: Json = source;
  if (typeof source === 'string') {
    if (source.length > maxLength) {
      throw new TokenizerError({
        code: 'LIMIT_EXCEEDED',
        fn: FN,
        argument: 'tokenizerJson',
        detail: `the text has ${source.length} characters, more than maxSourceLength ${maxLength}; raise options.maxSourceLength if the file is trusted.`,
      });
    }
    try {
      root = JSON.parse(source);
    } catch (error) {
      fail('tokenizerJson', `not valid JSON (${(error as Error).message}).`);
    }
  }
  const json = objectAt(root, 'tokenizerJson');
  if (json.normalizer != null)
    unsupported(
      'normalizer',
      `normalizer ${JSON.stringify(objectAt(json.normalizer, 'normalizer').type)}`,
    );
  if (json.decoder != null && objectAt(json.decoder, 'decoder').type !== 'ByteLevel') {
    unsupported(
      'decoder.type',
      `decoder ${JSON.stringify((json.decoder as Record<string, Json>).type)}`,
    );
  }
  const model = objectAt(json.model, 'model');
  if (model.type !== undefined && model.type !== 'BPE')
    unsupported('model.type', `model ${JSON.stringify(model.type)}`);
  for (const key of ['dropout', 'continuing_subword_prefix', 'end_of_word_suffix'] as const) {
    if (model[key] != null && model[key] !== '')
      unsupported(`model.${key}`, `${key} ${JSON.stringify(model[key])}`);
  }
  if (model.byte_fallback === true) unsupported('model.byte_fallback', 'byte_fallback');

  // Vocabulary: byte-level strings → ids.
  const vocabJson = objectAt(model.vocab, 'model.vocab');
  const byString = new Map<string, number>();
  const tokens: (Uint8Array | undefined)[] = [];
  for (const [text, id] of Object.entries(vocabJson)) {
    const path = `model.vocab[${JSON.stringify(text)}]`;
    if (!Number.isSafeInteger(id) || (id as number) < 0)
      fail(path, `expected a non-negative integer id, found ${JSON.stringify(id)}.`);
    if ((id as number) > maxId) fail(path, `id ${id} exceeds maxTokenId ${maxId}.`);
    const bytes = byteLevelToBytes(text);
    if (bytes === null || bytes.length === 0)
      fail(
        path,
        'the token is not a string of the byte-level alphabet; only byte-level BPE files are supported.',
      );
    if (tokens[id as number] !== undefined) fail(path, `id ${id} is given to two tokens.`);
    tokens[id as number] = bytes;
    byString.set(text, id as number);
  }

  // Added tokens are matched in the raw text before pre-tokenization: special tokens here.
  const specialTokens = new Map<string, number>();
  const added = json.added_tokens ?? [];
  if (!Array.isArray(added)) fail('added_tokens', 'expected an array.');
  added.forEach((item, i) => {
    const path = `added_tokens[${i}]`;
    const token = objectAt(item, path);
    const { id, content } = token;
    if (typeof content !== 'string' || content.length === 0)
      fail(`${path}.content`, 'expected a non-empty string.');
    if (!Number.isSafeInteger(id) || (id as number) < 0 || (id as number) > maxId)
      fail(`${path}.id`, `expected an integer id up to ${maxId}, found ${JSON.stringify(id)}.`);
    for (const flag of ['lstrip', 'rstrip', 'single_word'] as const) {
      if (token[flag] === true) unsupported(`${path}.${flag}`, `${flag}: true`);
    }
    if (specialTokens.has(content))
      fail(`${path}.content`, `${JSON.stringify(content)} is added twice.`);
    specialTokens.set(content, id as number);
    // A token that is both in the vocabulary and added (GPT-2's <|endoftext|>) is special only.
    tokens[id as number] = undefined;
  });

  // Merges: "a b" strings or ["a", "b"] pairs of vocabulary strings.
  const mergesJson = model.merges ?? [];
  if (!Array.isArray(mergesJson)) fail('model.merges', 'expected an array.');
  const merges: [number, number][] = new Array(mergesJson.length);
  for (let i = 0; i < mergesJson.length; i++) {
    const merge: Json = mergesJson[i];
    const path = `model.merges[${i}]`;
    const pair: Json[] | null =
      typeof merge === 'string' ? merge.split(' ') : Array.isArray(merge) ? merge : null;
    if (pair === null) fail(path, 'expected "left right" or ["left", "right"].');
    const [left, right] = pair;
    if (pair.length !== 2 || typeof left !== 'string' || typeof right !== 'string') {
      fail(path, `expected two tokens, found ${JSON.stringify(merge)}.`);
    }
    const a = byString.get(left);
    const b = byString.get(right);
    if (a === undefined || b === undefined || tokens[a] === undefined || tokens[b] === undefined) {
      fail(path, `${JSON.stringify(a === undefined ? left : right)} is not in model.vocab.`);
    }
    merges[i] = [a, b];
  }

  return {
    tokens,
    merges,
    pattern: preTokenizerOf(json.pre_tokenizer, 'pre_tokenizer'),
    specialTokens,
    ignoreMerges: model.ignore_merges === true,
  };
}

/** What `formatHuggingFace` needs from a tokenizer. */
export interface HuggingFaceModel {
  readonly tokenBytes: TokenBytes;
  readonly merges: readonly (readonly [number, number])[] | undefined;
  readonly ignoreMerges: boolean;
  readonly specialTokens: ReadonlyMap<string, number>;
  readonly preTokenizer: PreTokenizer;
}

/** The `tokenizer.json` text of a model (byte-level BPE with a `Split` pre-tokenizer). */
export function formatHuggingFace(model: HuggingFaceModel): string {
  const { tokenBytes } = model;
  const names: string[] = [];
  const vocab: Record<string, number> = Object.create(null);
  for (let id = 0; id < tokenBytes.size; id++) {
    if (!tokenBytes.has(id)) continue;
    const name = bytesToByteLevel(tokenBytes.bytes(id));
    names[id] = name;
    vocab[name] = id;
  }
  const merges = (model.merges ?? deriveMerges(tokenBytes)).map(([a, b]) => [names[a], names[b]]);
  const pattern = model.preTokenizer.pattern;
  const json = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [...model.specialTokens]
      .sort((x, y) => x[1] - y[1])
      .map(([content, id]) => ({
        id,
        content,
        single_word: false,
        lstrip: false,
        rstrip: false,
        normalized: false,
        special: true,
      })),
    normalizer: null,
    pre_tokenizer: {
      type: 'Sequence',
      pretokenizers: [
        {
          type: 'Split',
          pattern: { Regex: pattern },
          behavior: model.preTokenizer.gaps === 'keep' ? 'Isolated' : 'Removed',
          invert: model.preTokenizer.gaps !== 'keep',
        },
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
      ignore_merges: model.ignoreMerges,
      vocab,
      merges,
    },
  };
  return JSON.stringify(json);
}
