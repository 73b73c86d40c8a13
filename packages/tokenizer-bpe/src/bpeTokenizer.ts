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
import { checkDisallowed, type SpecialPolicy, SpecialTokens } from './internal/specialTokens.js';
import { encodeUtf8Into, toWellFormed } from './internal/utf8.js';
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

const MAX_CACHED_PIECE = 128;
/** More than the most ids a cached piece (≤ 128 UTF-16 units, ≤ 384 bytes) can have. */
const ARENA_LENGTHS = 1024;
const textDecoder = new TextDecoder('utf-8', { ignoreBOM: true });
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
  readonly #merger: BpeMerger;
  readonly #byteIds = new Int32Array(256);
  /**
   * Pre-token → its id (≥ 0), or, for several ids, `-(offset × ARENA_LENGTHS + count) − 1` into
   * `#arena`: plain numbers keep the cache cheap for the garbage collector.
   */
  readonly #cache = new Map<string, number>();
  #arena = new Uint32Array(4096);
  #arenaLength = 0;
  readonly #cacheSize: number;
  #out = new Uint32Array(1024);
  #outLen = 0;
  #counting = false;
  #scratch = new Uint8Array(1024);
  #pieceIds = new Uint32Array(1024);
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
    this.#cacheSize = init.cacheSize ?? 131072;
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
    this.#merger = new BpeMerger(vocab, pairs, init.merges === undefined, this.#byteIds);
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
    const ids = this.#out.slice(0, this.#outLen);
    // Let a one-off huge output buffer go once the result is copied out.
    if (this.#out.length > 1 << 22) this.#out = new Uint32Array(1024);
    return ids;
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
    return this.#outLen;
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
    this.#outLen = 0;
    this.#counting = counting;
    const re = policy.allowed;
    if (re === null) {
      this.#ordinary(wellFormed, 0, wellFormed.length);
    } else {
      let start = 0;
      re.lastIndex = 0;
      for (let m = re.exec(wellFormed); m !== null; m = re.exec(wellFormed)) {
        this.#ordinary(wellFormed, start, m.index);
        this.#push(this.specialTokens.get(m[0])!);
        start = m.index + m[0].length;
      }
      this.#ordinary(wellFormed, start, wellFormed.length);
    }
  }

  #push(id: number): void {
    if (this.#counting) {
      this.#outLen++;
      return;
    }
    if (this.#outLen === this.#out.length) this.#grow(1);
    this.#out[this.#outLen++] = id;
  }

  #grow(extra: number): void {
    const next = new Uint32Array(Math.max(this.#out.length * 2, this.#outLen + extra));
    next.set(this.#out.subarray(0, this.#outLen));
    this.#out = next;
  }

  #ordinary(text: string, start: number, end: number): void {
    if (start >= end) return;
    if (this.preTokenizer.usesRegex && (start !== 0 || end !== text.length)) {
      text = text.slice(start, end);
      end -= start;
      start = 0;
    }
    const scan = this.preTokenizer.scan;
    for (let i = start; i < end; ) {
      const j = scan(text, i, end);
      if (j < 0) {
        i = ~j;
        continue;
      }
      this.#piece(text, i, j);
      i = j;
    }
  }

  #piece(text: string, start: number, end: number): void {
    const key = end - start <= MAX_CACHED_PIECE ? text.slice(start, end) : undefined;
    const hit = key === undefined ? undefined : this.#cache.get(key);
    if (hit !== undefined) {
      if (hit >= 0) this.#push(hit);
      else {
        // A multi-token piece: its ids live in the arena (see #remember).
        const packed = -hit - 1;
        const at = Math.floor(packed / ARENA_LENGTHS);
        this.#pushAll(this.#arena.subarray(at, at + (packed % ARENA_LENGTHS)));
      }
      return;
    }
    const n = this.#mergePiece(text, start, end);
    if (n === 1) {
      const id = this.#pieceIds[0]!;
      if (key !== undefined) this.#remember(key, id);
      this.#push(id);
    } else {
      const ids = this.#pieceIds.subarray(0, n);
      if (key !== undefined) this.#remember(key, this.#store(ids));
      this.#pushAll(ids);
    }
  }

  /** Caches a piece's value, emptying the cache (and its arena) when full. */
  #remember(key: string, value: number): void {
    if (this.#cache.size >= this.#cacheSize) {
      this.#cache.clear();
      this.#arenaLength = 0;
      if (value < 0) value = this.#store(this.#pieceIds.subarray(0, (-value - 1) % ARENA_LENGTHS));
    }
    this.#cache.set(key, value);
  }

  /** Appends several ids to the arena; returns the packed cache value that finds them. */
  #store(ids: Uint32Array): number {
    const at = this.#arenaLength;
    if (at + ids.length > this.#arena.length) {
      const grown = new Uint32Array(Math.max(this.#arena.length * 2, at + ids.length));
      grown.set(this.#arena.subarray(0, at));
      this.#arena = grown;
    }
    this.#arena.set(ids, at);
    this.#arenaLength = at + ids.length;
    return -(at * ARENA_LENGTHS + ids.length) - 1;
  }

  #pushAll(ids: Uint32Array): void {
    if (this.#counting) {
      this.#outLen += ids.length;
      return;
    }
    if (this.#outLen + ids.length > this.#out.length) this.#grow(ids.length);
    this.#out.set(ids, this.#outLen);
    this.#outLen += ids.length;
  }

  /** Merges a piece into `#pieceIds`; returns how many ids. */
  #mergePiece(text: string, start: number, end: number): number {
    const units = end - start;
    if (this.#scratch.length < units * 3) this.#scratch = new Uint8Array(units * 3 * 2);
    const bytes = this.#scratch;
    const n = encodeUtf8Into(text, start, end, bytes);
    if (this.#pieceIds.length < n) this.#pieceIds = new Uint32Array(n * 2);
    if (n === 1) {
      this.#pieceIds[0] = this.#byteIds[bytes[0]!]!;
      return 1;
    }
    if (this.ignoreMerges) {
      const id = this.tokenBytes.lookup(bytes, 0, n);
      if (id >= 0) {
        this.#pieceIds[0] = id;
        return 1;
      }
    }
    return this.#merger.merge(bytes, n, this.#pieceIds, 0);
  }

  decodeBytes(ids: ArrayLike<number>): Uint8Array {
    return this.#decodeInto('decodeBytes', ids).slice();
  }

  decode(ids: ArrayLike<number>): string {
    return textDecoder.decode(this.#decodeInto('decode', ids));
  }

  /** The bytes of one token (ordinary or special); empty for an unknown id. */
  tokenToBytes(id: number): Uint8Array {
    return this.tokenBytes.has(id)
      ? this.tokenBytes.bytes(id).slice()
      : (this.#specialBytes.get(id)?.slice() ?? new Uint8Array(0));
  }

  #decodeInto(fn: string, ids: ArrayLike<number>): Uint8Array {
    if (ids === null || typeof ids !== 'object' || typeof ids.length !== 'number') {
      throw invalid(fn, 'ids', `expected an array of token ids, received ${describeValue(ids)}.`);
    }
    const vocab = this.tokenBytes;
    let buffer = this.#decodeBuffer;
    let at = 0;
    for (let k = 0; k < ids.length; ) {
      at = vocab.gather(ids, k, buffer, at);
      k = vocab.gathered;
      if (k === ids.length) break;
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
        const estimate = Math.ceil((at / Math.max(k, 1)) * (ids.length - k)) + bytes.length + 64;
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
