/**
 * tiktoken's formats: the `.tiktoken` rank file (one `base64 rank` line per token, from
 * `tiktoken/load.py`), and the JSON object the `tiktoken` and `js-tiktoken` npm packages ship
 * (`{pat_str, special_tokens, bpe_ranks}`, where `bpe_ranks` packs the ranks as lines of
 * `<first token> <first rank> <base64> <base64> …`, each token's rank one more than the last).
 *
 * Both are parsed strictly, with size limits and errors that name the line: rank files come from
 * the network and users' disks.
 */
import type { BpeTokenizerInit } from './bpeTokenizer.js';
import { decodeBase64Token, encodeBase64 } from './internal/base64.js';
import { META } from './internal/byteIndex.js';
import { PATTERNS, type PatternName } from './preTokenizer.js';
import { TokenBytes } from './tokenBytes.js';
import { TokenizerError } from './tokenizerError.js';

/** Options of `BpeTokenizer.fromTiktoken`. @public */
export interface FromTiktokenOptions {
  /**
   * The pre-tokenizer: a {@link PatternName} or a pattern in tiktoken's regex syntax. Required
   * for a `.tiktoken` rank file; overrides the JSON object's `pat_str` when given.
   */
  readonly pattern?: PatternName | string;
  /** Special tokens (added to, and overriding, the JSON object's `special_tokens`). */
  readonly specialTokens?: Readonly<Record<string, number>>;
  /**
   * Largest accepted source, in UTF-16 code units.
   * @defaultValue 67108864 (64 Mi; o200k_base's file is 3.6 MB)
   */
  readonly maxSourceLength?: number;
  /**
   * Largest accepted rank.
   * @defaultValue 4194303
   */
  readonly maxRank?: number;
}

/** The JSON object that the `tiktoken` and `js-tiktoken` npm packages ship per encoding. @public */
export interface TiktokenJson {
  readonly pat_str: string;
  readonly special_tokens: Readonly<Record<string, number>>;
  readonly bpe_ranks: string;
}

const FN = 'BpeTokenizer.fromTiktoken';

function formatError(argument: string, detail: string): TokenizerError {
  return new TokenizerError({ code: 'INVALID_FORMAT', fn: FN, argument, detail });
}

/** Decodes `(base64 slice, rank)` entries into packed token bytes as they come, validating them. */
class RankPacker {
  readonly #text: string;
  readonly #argument: string;
  readonly #maxRank: number;
  #pool: Uint8Array;
  #at = 0;
  /** Per rank, the records `TokenBytes.fromPacked` takes (length and offset filled here). */
  #records: Int32Array;
  #lineOf: Int32Array;
  #count = 0;
  #size = 0;

  constructor(text: string, argument: string, maxRank: number) {
    this.#text = text;
    this.#argument = argument;
    this.#maxRank = maxRank;
    // Base64 never decodes to more than 3/4 of its characters.
    this.#pool = new Uint8Array(Math.ceil((text.length * 3) / 4) + 3);
    // Sized for the ranks the text likely holds (the published files take eleven to eighteen
    // characters per token on average: base64, separator, rank), so that loading them rarely
    // grows it; other files grow it as they need.
    const capacity = Math.max(1024, Math.min(maxRank + 1, Math.ceil(text.length / 8)));
    this.#records = new Int32Array(capacity * META);
    this.#lineOf = new Int32Array(capacity);
  }

  /**
   * Decodes the base64 token at `text[start]` (up to `limit` or a space) as `rank`; returns the
   * index after the token.
   */
  add(start: number, limit: number, rank: number, line: number): number {
    if (rank >= this.#lineOf.length) this.#grow(rank, line);
    const r = rank * META;
    if (this.#records[r + 2] !== 0) {
      throw formatError(
        this.#argument,
        `line ${line}: rank ${rank} is also given on line ${this.#lineOf[rank]}; each rank may appear once.`,
      );
    }
    const at = this.#at;
    const next = decodeBase64Token(this.#text, start, limit, this.#pool, at);
    if (next < 0) {
      let end = this.#text.indexOf(' ', start);
      if (end < 0 || end > limit) end = limit;
      throw formatError(
        this.#argument,
        `line ${line}: ${JSON.stringify(this.#text.slice(start, Math.min(end, start + 40)))} is not valid base64.`,
      );
    }
    this.#records[r + 2] = next - at;
    this.#records[r + 3] = at;
    this.#lineOf[rank] = line;
    this.#at = next;
    this.#count++;
    if (rank >= this.#size) this.#size = rank + 1;
    return start + 4 * Math.ceil((next - at) / 3);
  }

  #grow(rank: number, line: number): void {
    if (!(rank <= this.#maxRank)) {
      throw new TokenizerError({
        code: 'LIMIT_EXCEEDED',
        fn: FN,
        argument: this.#argument,
        detail: `line ${line}: rank ${rank} exceeds maxRank ${this.#maxRank}; raise options.maxRank if the file is trusted.`,
      });
    }
    let capacity = this.#lineOf.length;
    while (capacity <= rank) capacity *= 2;
    const records = new Int32Array(capacity * META);
    records.set(this.#records);
    this.#records = records;
    const lineOf = new Int32Array(capacity);
    lineOf.set(this.#lineOf);
    this.#lineOf = lineOf;
  }

  finish(): TokenBytes {
    return TokenBytes.fromPacked(
      this.#pool.slice(0, this.#at),
      this.#records.slice(0, this.#size * META),
      this.#count,
    );
  }
}

function checkLength(source: string, argument: string, max: number): void {
  if (source.length > max) {
    throw new TokenizerError({
      code: 'LIMIT_EXCEEDED',
      fn: FN,
      argument,
      detail: `the source has ${source.length} characters, more than maxSourceLength ${max}; raise options.maxSourceLength if the file is trusted.`,
    });
  }
}

/** Calls `onLine(start, end, lineNumber)` for each non-empty line. */
function forEachLine(
  text: string,
  onLine: (start: number, end: number, line: number) => void,
): void {
  let line = 0;
  for (let s = 0; s < text.length; ) {
    let e = text.indexOf('\n', s);
    if (e < 0) e = text.length;
    line++;
    const stop = e > s && text.charCodeAt(e - 1) === 13 ? e - 1 : e;
    if (stop > s) onLine(s, stop, line);
    s = e + 1;
  }
}

const RANK = /^(0|[1-9]\d{0,9})$/;

/** Parses `.tiktoken` rank-file text. */
function parseRankFile(text: string, maxRank: number): TokenBytes {
  const packer = new RankPacker(text, 'source', maxRank);
  forEachLine(text, (s, e, line) => {
    const space = text.indexOf(' ', s);
    const rank = space > s && space < e ? text.slice(space + 1, e) : '';
    if (!RANK.test(rank)) {
      throw formatError(
        'source',
        `line ${line}: expected "<base64> <rank>", found ${JSON.stringify(text.slice(s, Math.min(e, s + 60)))}.`,
      );
    }
    packer.add(s, space, Number(rank), line);
  });
  return packer.finish();
}

/** Parses the packed `bpe_ranks` string of the npm packages' JSON. */
function parsePackedRanks(text: string, maxRank: number): TokenBytes {
  const packer = new RankPacker(text, 'source.bpe_ranks', maxRank);
  forEachLine(text, (s, e, line) => {
    const first = text.indexOf(' ', s);
    const second = first < 0 || first >= e ? -1 : text.indexOf(' ', first + 1);
    const offsetEnd = second < 0 || second > e ? e : second;
    const offset = first < 0 || first >= e ? '' : text.slice(first + 1, offsetEnd);
    if (!RANK.test(offset)) {
      throw formatError(
        'source.bpe_ranks',
        `line ${line}: expected "<token> <first rank> <base64> …", found ${JSON.stringify(text.slice(s, Math.min(e, s + 60)))}.`,
      );
    }
    let rank = Number(offset);
    // Each token ends where `add` stops reading; one space separates it from the next.
    for (let t = offsetEnd + 1; t < e; t = packer.add(t, e, rank++, line) + 1);
  });
  return packer.finish();
}

function specialsOf(value: unknown, argument: string): Record<string, number> {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw formatError(argument, 'expected an object from special-token strings to ids.');
  }
  const out: Record<string, number> = Object.create(null);
  for (const [name, id] of Object.entries(value)) {
    if (!Number.isSafeInteger(id) || (id as number) < 0) {
      throw formatError(
        `${argument}[${JSON.stringify(name)}]`,
        `expected a non-negative integer id, received ${JSON.stringify(id)}.`,
      );
    }
    out[name] = id as number;
  }
  return out;
}

/** The constructor arguments that a tiktoken source describes. */
export function parseTiktoken(
  source: string | TiktokenJson,
  options: FromTiktokenOptions = {},
): BpeTokenizerInit {
  const maxLength = options.maxSourceLength ?? 64 * 1024 * 1024;
  const maxRank = options.maxRank ?? 4194303;
  let json: unknown = source;
  if (typeof source === 'string') {
    checkLength(source, 'source', maxLength);
    if (!source.trimStart().startsWith('{')) {
      if (options.pattern === undefined) {
        throw new TokenizerError({
          code: 'INVALID_ARGUMENT',
          fn: FN,
          argument: 'options.pattern',
          detail: `a .tiktoken rank file carries no pattern; pass one of ${Object.keys(PATTERNS).join(', ')} or a regex.`,
        });
      }
      return {
        tokens: parseRankFile(source, maxRank),
        pattern: options.pattern,
        specialTokens: specialsOf(options.specialTokens, 'options.specialTokens'),
      };
    }
    try {
      json = JSON.parse(source);
    } catch (error) {
      throw formatError(
        'source',
        `not a rank file and not valid JSON (${(error as Error).message}).`,
      );
    }
  }
  if (json === null || typeof json !== 'object') {
    throw new TokenizerError({
      code: 'INVALID_ARGUMENT',
      fn: FN,
      argument: 'source',
      detail:
        'expected the text of a .tiktoken file or the {pat_str, special_tokens, bpe_ranks} object of the tiktoken / js-tiktoken packages.',
    });
  }
  const { pat_str, special_tokens, bpe_ranks } = json as Record<string, unknown>;
  if (typeof bpe_ranks !== 'string') throw formatError('source.bpe_ranks', 'expected a string.');
  if (typeof pat_str !== 'string' && options.pattern === undefined) {
    throw formatError('source.pat_str', 'expected a string (or pass options.pattern).');
  }
  checkLength(bpe_ranks, 'source.bpe_ranks', maxLength);
  return {
    tokens: parsePackedRanks(bpe_ranks, maxRank),
    pattern: options.pattern ?? (pat_str as string),
    specialTokens: {
      ...specialsOf(special_tokens, 'source.special_tokens'),
      ...specialsOf(options.specialTokens, 'options.specialTokens'),
    },
  };
}

/** The `.tiktoken` rank-file text of a vocabulary: each token's id is its rank. */
export function formatTiktoken(tokens: TokenBytes): string {
  const lines: string[] = [];
  for (let id = 0; id < tokens.size; id++) {
    if (tokens.has(id)) lines.push(`${encodeBase64(tokens.bytes(id))} ${id}\n`);
  }
  return lines.join('');
}
