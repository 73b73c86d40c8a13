/**
 * `BpeTokenizer`: byte-level BPE over a vocabulary of byte strings, a pre-tokenizer pattern and
 * special tokens — tiktoken's model, and Hugging Face's byte-level BPE.
 *
 * Encoding: special tokens split the text (`internal/specialTokens.ts`); each ordinary segment
 * is split into pieces by the pre-tokenizer; each piece is looked up in a cache, else as a whole
 * token, else merged byte by byte (`internal/bpeMerge.ts`). Loading and saving files lives in
 * `tiktokenFormat.ts`, `huggingFaceFormat.ts` and `llmkitFormat.ts`.
 */

import {
  type FromHuggingFaceOptions,
  formatHuggingFace,
  parseHuggingFace,
} from './huggingFaceFormat.js';
import { BpeMerger } from './internal/bpeMerge.js';
import { describeValue } from './internal/describeValue.js';
import { PairTable } from './internal/pairTable.js';
import { PieceEncoder } from './internal/pieceEncoder.js';
import { checkDisallowed, type SpecialPolicy, SpecialTokens } from './internal/specialTokens.js';
import { decodeUtf8, toWellFormed } from './internal/utf8.js';
import { type BpeTokenizerJson, formatLlmkit, parseLlmkit } from './llmkitFormat.js';
import { type PatternName, PreTokenizer } from './preTokenizer.js';
import {
  type FromTiktokenOptions,
  formatTiktoken,
  parseTiktoken,
  type TiktokenJson,
} from './tiktokenFormat.js';
import { TokenBytes } from './tokenBytes.js';
import type { EncodeOptions, Tokenizer } from './tokenizer.js';
import { TokenizerError } from './tokenizerError.js';

/** What a {@link BpeTokenizer} is built from. @public */
export interface BpeTokenizerInit {
  /** The bytes of each ordinary token, indexed by id (`undefined` for an unused id). */
  readonly tokens: readonly (Uint8Array | undefined)[] | TokenBytes;
  /**
   * The merges as `[leftId, rightId]` pairs, highest priority first (Hugging Face's and a
   * trainer's form). When absent, tiktoken's rule applies: two adjacent parts merge when their
   * concatenated bytes are a token, and a token's id is its rank.
   */
  readonly merges?: readonly (readonly [number, number])[];
  /** The pre-tokenizer: a {@link PatternName}, a pattern in tiktoken's regex syntax, or one built. */
  readonly pattern: PatternName | string | PreTokenizer;
  /** Special tokens: their strings and ids (ids must not be ordinary tokens). */
  readonly specialTokens?: Readonly<Record<string, number>> | ReadonlyMap<string, number>;
  /**
   * Encode a pre-token that is itself a token as that token without merging (tiktoken does;
   * Hugging Face does when `ignore_merges` is set).
   * @defaultValue `true` without `merges`, `false` with them
   */
  readonly ignoreMerges?: boolean;
  /**
   * Pre-tokens remembered with their ids; the cache is emptied when it holds this many.
   * @defaultValue 131072
   */
  readonly cacheSize?: number;
}

const textDecoder = new TextDecoder('utf-8', { ignoreBOM: true });
/** Decoded text up to this many bytes is decoded in JavaScript (no `TextDecoder` call). */
const SHORT_DECODE = 64;
const textEncoder = new TextEncoder();

function invalid(fn: string, argument: string, detail: string): TokenizerError {
  return new TokenizerError({ code: 'INVALID_ARGUMENT', fn, argument, detail });
}

/**
 * A byte-level BPE tokenizer. Build one from a tiktoken rank file, a Hugging Face
 * `tokenizer.json`, this package's JSON, or directly from tokens and merges.
 * @example
 * ```ts
 * import ranks from 'js-tiktoken/ranks/cl100k_base';
 * const tokenizer = BpeTokenizer.fromTiktoken(ranks);
 * tokenizer.encode('hello world'); // Uint32Array [15339, 1917]
 * ```
 * @public
 */
export class BpeTokenizer implements Tokenizer {
  readonly vocabSize: number;
  readonly specialTokens: ReadonlyMap<string, number>;
  /** The pre-tokenizer. */
  readonly preTokenizer: PreTokenizer;
  /** The ordinary tokens' bytes. */
  readonly tokenBytes: TokenBytes;
  /** The merges given at construction, or `undefined` for tiktoken's rank rule. */
  readonly merges: readonly (readonly [number, number])[] | undefined;
  /** Whether a whole pre-token that is a token skips merging. */
  readonly ignoreMerges: boolean;

  readonly #specials: SpecialTokens;
  readonly #specialBytes = new Map<number, Uint8Array>();
  readonly #byteIds = new Int32Array(256);
  readonly #pieces: PieceEncoder;
  #decodeBuffer = new Uint8Array(4096);

  /**
   * @throws TokenizerError `INVALID_FORMAT` when a byte has no token, a merge names an unknown
   *   token or makes bytes that are no token, or a special token's id is an ordinary token's
   */
  constructor(init: BpeTokenizerInit) {
    const fn = 'BpeTokenizer';
    const vocab =
      init.tokens instanceof TokenBytes ? init.tokens : TokenBytes.fromArray(init.tokens);
    this.tokenBytes = vocab;
    this.preTokenizer =
      init.pattern instanceof PreTokenizer ? init.pattern : new PreTokenizer(init.pattern);
    const one = new Uint8Array(1);
    for (let b = 0; b < 256; b++) {
      one[0] = b;
      const id = vocab.lookup(one, 0, 1);
      if (id < 0) {
        throw new TokenizerError({
          code: 'INVALID_FORMAT',
          fn,
          argument: 'tokens',
          detail: `byte 0x${b.toString(16).padStart(2, '0')} has no token; byte-level BPE needs all 256 single bytes in the vocabulary.`,
        });
      }
      this.#byteIds[b] = id;
    }
    const specials = new Map<string, number>(
      init.specialTokens instanceof Map
        ? init.specialTokens
        : Object.entries(init.specialTokens ?? {}),
    );
    let vocabSize = vocab.size;
    for (const [text, id] of specials) {
      if (
        !Number.isInteger(id) ||
        id < 0 ||
        id > 0x7fffffff ||
        vocab.has(id) ||
        text.length === 0
      ) {
        throw new TokenizerError({
          code: 'INVALID_FORMAT',
          fn,
          argument: `specialTokens[${JSON.stringify(text)}]`,
          detail: `id ${describeValue(id)} is ${vocab.has(id) ? 'already an ordinary token' : 'not a valid id'}; special tokens need non-empty strings and ids of their own.`,
        });
      }
      this.#specialBytes.set(id, textEncoder.encode(text));
      vocabSize = Math.max(vocabSize, id + 1);
    }
    this.vocabSize = vocabSize;
    this.specialTokens = specials;
    this.#specials = new SpecialTokens(specials);
    this.merges = init.merges;
    this.ignoreMerges = init.ignoreMerges ?? init.merges === undefined;
    const pairs = new PairTable(init.merges?.length ?? 0);
    init.merges?.forEach(([a, b], rank) => {
      const merged = vocab.has(a) && vocab.has(b) ? vocab.lookupPair(a, b) : -1;
      if (merged < 0) {
        throw new TokenizerError({
          code: 'INVALID_FORMAT',
          fn,
          argument: `merges[${rank}]`,
          detail: `the merge [${a}, ${b}] ${vocab.has(a) && vocab.has(b) ? 'makes bytes that are not a token' : 'names an id that is not a token'}; every merge joins two tokens into a third.`,
        });
      }
      pairs.add(a, b, merged, rank);
    });
    const merger = new BpeMerger(vocab, pairs, init.merges === undefined, this.#byteIds);
    this.#pieces = new PieceEncoder({
      vocab,
      merger,
      byteIds: this.#byteIds,
      preTokenizer: this.preTokenizer,
      ignoreMerges: this.ignoreMerges,
      cacheSize: init.cacheSize ?? 131072,
    });
  }

  /**
   * A tokenizer from tiktoken data: the text of a `.tiktoken` rank file (then
   * `options.pattern` is required), or the `{pat_str, special_tokens, bpe_ranks}` object (or its
   * JSON text) that the `tiktoken` and `js-tiktoken` npm packages ship.
   * @throws TokenizerError `INVALID_FORMAT` naming the line of a malformed entry,
   *   `LIMIT_EXCEEDED` past `options.maxSourceLength` / `options.maxRank`
   */
  static fromTiktoken(source: string | TiktokenJson, options?: FromTiktokenOptions): BpeTokenizer {
    return new BpeTokenizer(parseTiktoken(source, options));
  }

  /**
   * The `.tiktoken` rank-file text of this vocabulary (ids as ranks; the pattern and special
   * tokens are not part of that format: keep {@link BpeTokenizer.preTokenizer}'s `pattern`).
   */
  toTiktoken(): string {
    return formatTiktoken(this.tokenBytes);
  }

  /**
   * A tokenizer from a Hugging Face `tokenizer.json` (its text or the parsed object) with a
   * byte-level BPE model. Added tokens become special tokens; the post-processor is not applied
   * (no BOS/EOS is added).
   * @throws TokenizerError `INVALID_FORMAT` naming the JSON path of a malformed entry,
   *   `UNSUPPORTED` for a component that would change the ids and is not implemented
   */
  static fromHuggingFace(
    tokenizerJson: string | object,
    options?: FromHuggingFaceOptions,
  ): BpeTokenizer {
    return new BpeTokenizer(parseHuggingFace(tokenizerJson, options));
  }

  /**
   * The `tokenizer.json` text of this tokenizer, loadable by Hugging Face `tokenizers` and
   * transformers. Without explicit merges, the merges are derived from the ranks as Hugging
   * Face's tiktoken converter does.
   */
  toHuggingFace(): string {
    return formatHuggingFace(this);
  }

  /** A tokenizer from this package's JSON (the object {@link BpeTokenizer.toJSON} returns, or its text). */
  static fromJSON(json: string | BpeTokenizerJson): BpeTokenizer {
    return new BpeTokenizer(parseLlmkit(json));
  }

  /** This tokenizer in this package's versioned JSON format (what `JSON.stringify` writes). */
  toJSON(): BpeTokenizerJson {
    return formatLlmkit(this);
  }

  /** The token id of a single byte. */
  byteToken(byte: number): number {
    return this.#byteIds[byte & 255]!;
  }

  encode(text: string, options?: EncodeOptions): Uint32Array {
    this.#run('encode', text, options, false);
    return this.#pieces.takeIds();
  }

  encodeBatch(texts: readonly string[], options?: EncodeOptions): Uint32Array[] {
    if (!Array.isArray(texts)) {
      throw invalid(
        'encodeBatch',
        'texts',
        `expected an array of strings, received ${describeValue(texts)}.`,
      );
    }
    return texts.map((text) => this.encode(text, options));
  }

  count(text: string, options?: EncodeOptions): number {
    this.#run('count', text, options, true);
    return this.#pieces.length;
  }

  /**
   * The ids of `text` with no special-token handling at all: special-token strings are
   * ordinary text (tiktoken's `encode_ordinary`).
   */
  encodeOrdinary(text: string): Uint32Array {
    return this.encode(text, { disallowedSpecial: [] });
  }

  #run(fn: string, text: string, options: EncodeOptions | undefined, counting: boolean): void {
    if (typeof text !== 'string') {
      throw invalid(fn, 'text', `expected a string, received ${describeValue(text)}.`);
    }
    const wellFormed = toWellFormed(text);
    const policy: SpecialPolicy = this.#specials.policy(fn, options);
    checkDisallowed(fn, wellFormed, policy);
    const pieces = this.#pieces;
    pieces.begin(counting);
    const re = policy.allowed;
    if (re === null) {
      pieces.ordinary(wellFormed, 0, wellFormed.length);
    } else {
      let start = 0;
      re.lastIndex = 0;
      for (let m = re.exec(wellFormed); m !== null; m = re.exec(wellFormed)) {
        pieces.ordinary(wellFormed, start, m.index);
        pieces.push(this.specialTokens.get(m[0])!);
        start = m.index + m[0].length;
      }
      pieces.ordinary(wellFormed, start, wellFormed.length);
    }
  }

  decodeBytes(ids: ArrayLike<number>): Uint8Array {
    return this.#decodeInto('decodeBytes', ids).slice();
  }

  decode(ids: ArrayLike<number>): string {
    // All bytes at once, then one UTF-8 decode: invalid sequences (ids cut inside a character)
    // become U+FFFD exactly as they would in a stream of the same bytes.
    const bytes = this.#decodeInto('decode', ids);
    return bytes.length <= SHORT_DECODE ? decodeUtf8(bytes) : textDecoder.decode(bytes);
  }

  /** The bytes of one token (ordinary or special); empty for an unknown id. */
  tokenToBytes(id: number): Uint8Array {
    return this.tokenBytes.has(id)
      ? this.tokenBytes.bytes(id).slice()
      : (this.#specialBytes.get(id)?.slice() ?? new Uint8Array(0));
  }

  /** The bytes of `ids`, in a buffer reused by the next call. */
  #decodeInto(fn: string, ids: ArrayLike<number>): Uint8Array {
    if (ids === null || typeof ids !== 'object' || typeof ids.length !== 'number') {
      throw invalid(fn, 'ids', `expected an array of token ids, received ${describeValue(ids)}.`);
    }
    const vocab = this.tokenBytes;
    let buffer = this.#decodeBuffer;
    const to = ids.length;
    let at = 0;
    for (let k = 0; k < to; ) {
      at = vocab.gather(ids, k, to, buffer, at);
      k = vocab.gathered;
      if (k === to) break;
      const id = ids[k]!;
      const bytes = vocab.has(id)
        ? vocab.bytes(id)
        : Number.isInteger(id)
          ? this.#specialBytes.get(id)
          : undefined;
      if (bytes === undefined) {
        throw invalid(
          fn,
          `ids[${k}]`,
          `${describeValue(id)} is not a token id of this tokenizer (ids are integers below ${this.vocabSize} that name a token); check that the ids came from the same vocabulary.`,
        );
      }
      if (at + bytes.length > buffer.length) {
        // Grow for the rest, estimated from what the ids so far took.
        const estimate = Math.ceil((at / Math.max(k, 1)) * (to - k)) + bytes.length + 64;
        const grown = new Uint8Array(Math.max(buffer.length * 2, at + estimate));
        grown.set(buffer.subarray(0, at));
        buffer = grown;
        this.#decodeBuffer = grown;
      }
      buffer.set(bytes, at);
      at += bytes.length;
      k++;
    }
    return buffer.subarray(0, at);
  }
}
