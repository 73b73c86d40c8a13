/**
 * This package's own JSON format: everything a `BpeTokenizer` is, versioned, in one object that
 * `JSON.stringify` writes and `BpeTokenizer.fromJSON` reads back (tokens as base64 by id, merges
 * as id pairs or `null` for tiktoken's rank rule, special tokens as `[string, id]` pairs so no
 * token string is ever an object key).
 *
 * ```json
 * { "format": "llmkit-bpe", "version": 1, "pattern": "…", "gaps": "drop",
 *   "ignoreMerges": true, "tokens": ["AA==", …, null, …], "merges": null,
 *   "specialTokens": [["<|endoftext|>", 100257]] }
 * ```
 */
import type { BpeTokenizerInit } from './bpeTokenizer.js';
import { decodeBase64Into, encodeBase64 } from './internal/base64.js';
import { PreTokenizer } from './preTokenizer.js';
import type { TokenBytes } from './tokenBytes.js';
import { TokenizerError } from './tokenizerError.js';

/** The current version of {@link BpeTokenizerJson}. */
const VERSION = 1;
const FN = 'BpeTokenizer.fromJSON';

/** A `BpeTokenizer` as JSON (version 1). @public */
export interface BpeTokenizerJson {
  readonly format: 'llmkit-bpe';
  readonly version: 1;
  /** The pre-tokenizer pattern in tiktoken's regex syntax. */
  readonly pattern: string;
  /** What happens to text the pattern does not match. */
  readonly gaps: 'drop' | 'keep';
  readonly ignoreMerges: boolean;
  /** Each ordinary token's bytes in base64, by id; `null` for an unused id. */
  readonly tokens: readonly (string | null)[];
  /** Merges as `[left, right]` ids in priority order, or `null` for tiktoken's rank rule. */
  readonly merges: readonly (readonly [number, number])[] | null;
  readonly specialTokens: readonly (readonly [string, number])[];
}

/** What `formatLlmkit` needs from a tokenizer. */
export interface LlmkitModel {
  readonly tokenBytes: TokenBytes;
  readonly merges: readonly (readonly [number, number])[] | undefined;
  readonly ignoreMerges: boolean;
  readonly specialTokens: ReadonlyMap<string, number>;
  readonly preTokenizer: PreTokenizer;
}

/** The JSON object of a model. */
export function formatLlmkit(model: LlmkitModel): BpeTokenizerJson {
  const tokens: (string | null)[] = [];
  for (let id = 0; id < model.tokenBytes.size; id++) {
    tokens.push(model.tokenBytes.has(id) ? encodeBase64(model.tokenBytes.bytes(id)) : null);
  }
  return {
    format: 'llmkit-bpe',
    version: VERSION,
    pattern: model.preTokenizer.pattern,
    gaps: model.preTokenizer.gaps,
    ignoreMerges: model.ignoreMerges,
    tokens,
    merges: model.merges === undefined ? null : model.merges.map(([a, b]) => [a, b] as const),
    specialTokens: [...model.specialTokens],
  };
}

function fail(path: string, detail: string): never {
  throw new TokenizerError({ code: 'INVALID_FORMAT', fn: FN, argument: path, detail });
}

/** The constructor arguments of a {@link BpeTokenizerJson} (or its text). */
export function parseLlmkit(
  source: string | BpeTokenizerJson,
  maxSourceLength: number = 256 * 1024 * 1024,
): BpeTokenizerInit {
  let json: unknown = source;
  if (typeof source === 'string') {
    if (source.length > maxSourceLength) {
      throw new TokenizerError({
        code: 'LIMIT_EXCEEDED',
        fn: FN,
        argument: 'json',
        detail: `the text has ${source.length} characters, more than ${maxSourceLength}.`,
      });
    }
    try {
      json = JSON.parse(source);
    } catch (error) {
      fail('json', `not valid JSON (${(error as Error).message}).`);
    }
  }
  if (json === null || typeof json !== 'object') fail('json', 'expected an object.');
  const o = json as Record<string, unknown>;
  if (o.format !== 'llmkit-bpe')
    fail('json.format', `expected "llmkit-bpe", found ${JSON.stringify(o.format)}.`);
  if (o.version !== VERSION) {
    fail(
      'json.version',
      `version ${JSON.stringify(o.version)} is not readable by this release, which reads version ${VERSION}; upgrade @llmkit/tokenizer-bpe.`,
    );
  }
  if (typeof o.pattern !== 'string') fail('json.pattern', 'expected a string.');
  if (o.gaps !== 'drop' && o.gaps !== 'keep') fail('json.gaps', 'expected "drop" or "keep".');
  if (typeof o.ignoreMerges !== 'boolean') fail('json.ignoreMerges', 'expected a boolean.');
  if (!Array.isArray(o.tokens)) fail('json.tokens', 'expected an array.');
  const tokens: (Uint8Array | undefined)[] = o.tokens.map((t: unknown, id: number) => {
    if (t === null) return undefined;
    if (typeof t !== 'string') return fail(`json.tokens[${id}]`, 'expected base64 text or null.');
    const out = new Uint8Array((t.length / 4) * 3);
    const n = decodeBase64Into(t, 0, t.length, out, 0);
    if (n < 0) fail(`json.tokens[${id}]`, `${JSON.stringify(t.slice(0, 40))} is not valid base64.`);
    return out.subarray(0, n);
  });
  let merges: [number, number][] | undefined;
  if (o.merges !== null) {
    if (!Array.isArray(o.merges))
      fail('json.merges', 'expected an array of [left, right] ids or null.');
    merges = o.merges.map((m: unknown, i: number) => {
      if (!Array.isArray(m) || m.length !== 2 || !m.every((x) => Number.isSafeInteger(x))) {
        return fail(`json.merges[${i}]`, `expected [left, right] ids, found ${JSON.stringify(m)}.`);
      }
      return [m[0], m[1]] as [number, number];
    });
  }
  if (!Array.isArray(o.specialTokens))
    fail('json.specialTokens', 'expected an array of [string, id].');
  const specialTokens = new Map<string, number>();
  o.specialTokens.forEach((entry: unknown, i: number) => {
    if (!Array.isArray(entry) || typeof entry[0] !== 'string' || !Number.isSafeInteger(entry[1])) {
      fail(`json.specialTokens[${i}]`, `expected [string, id], found ${JSON.stringify(entry)}.`);
    }
    specialTokens.set(entry[0], entry[1]);
  });
  return {
    tokens,
    ...(merges === undefined ? {} : { merges }),
    pattern: new PreTokenizer(o.pattern, { gaps: o.gaps }),
    specialTokens,
    ignoreMerges: o.ignoreMerges,
  };
}
