/**
 * The tokenizers compared, behind one small interface. Each `create` builds a fresh instance
 * with empty caches (used for cold-cache runs); loading rank data is not timed here (see
 * `loadChild.ts` for load time and memory, measured in fresh processes).
 */
import { existsSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { get_encoding, type TiktokenEncoding } from 'tiktoken';
import { BpeTokenizer } from '../src/index.js';

const require = createRequire(import.meta.url);

export type EncodingName = 'cl100k_base' | 'o200k_base';

/** One tokenizer instance. Async peers return promises. */
export interface Instance {
  encode(text: string): ArrayLike<number> | Promise<ArrayLike<number>>;
  decode(ids: number[]): string | Promise<string>;
  count(text: string): number | Promise<number>;
  free?(): void;
}

export interface Peer {
  readonly name: string;
  /**
   * A package that is not a devDependency and runs only where installed by hand.
   * `@anysphere/tiktoken-node` lists platform packages that are missing from the registry, so it
   * cannot be in the lockfile (`npm ci` rejects it); `npm i --no-save @anysphere/tiktoken-node`
   * adds it to a local run.
   */
  readonly optionalModule?: string;
  /** A fresh instance with empty caches. */
  create(encoding: EncodingName): Instance | Promise<Instance>;
}

const utf8 = new TextDecoder();

/** The rank data the npm packages ship, as the object both tiktoken and js-tiktoken use. */
export function tiktokenJson(encoding: EncodingName): {
  pat_str: string;
  special_tokens: Record<string, number>;
  bpe_ranks: string;
} {
  return require(`tiktoken/encoders/${encoding}.json`);
}

const ours = new Map<EncodingName, BpeTokenizer>();
/** Our tokenizer (for building other peers' inputs). */
export function llmkitTokenizer(encoding: EncodingName): BpeTokenizer {
  let t = ours.get(encoding);
  if (!t) {
    t = BpeTokenizer.fromTiktoken(tiktokenJson(encoding));
    ours.set(encoding, t);
  }
  return t;
}

const ordinary = { disallowedSpecial: [] as string[] };

const hfJson = new Map<EncodingName, string>();
/** The encoding as a Hugging Face `tokenizer.json` (exported by this package, tested exact). */
export function huggingFaceJson(encoding: EncodingName): string {
  let json = hfJson.get(encoding);
  if (json === undefined) {
    json = llmkitTokenizer(encoding).toHuggingFace();
    hfJson.set(encoding, json);
  }
  return json;
}

/** A `.tiktoken` file of the encoding in the temp folder (for peers that read a path). */
export function rankFile(encoding: EncodingName): string {
  const path = join(tmpdir(), `llmkit-bench-${encoding}.tiktoken`);
  if (!existsSync(path)) writeFileSync(path, llmkitTokenizer(encoding).toTiktoken());
  return path;
}

const ALL_PEERS: readonly Peer[] = [
  {
    name: '@llmkit/tokenizer-bpe',
    create: (encoding) => {
      // A new instance over the same parsed vocabulary: empty cache, no reload.
      const base = llmkitTokenizer(encoding);
      const t = new BpeTokenizer({
        tokens: base.tokenBytes,
        pattern: base.preTokenizer,
        specialTokens: base.specialTokens,
      });
      return {
        encode: (s) => t.encode(s, ordinary),
        decode: (ids) => t.decode(ids),
        count: (s) => t.count(s, ordinary),
      };
    },
  },
  {
    name: 'tiktoken (WASM)',
    create: (encoding) => {
      const t = get_encoding(encoding as TiktokenEncoding);
      return {
        encode: (s) => t.encode_ordinary(s),
        decode: (ids) => utf8.decode(t.decode(Uint32Array.from(ids))),
        count: (s) => t.encode_ordinary(s).length,
        free: () => t.free(),
      };
    },
  },
  {
    name: 'js-tiktoken',
    create: async (encoding) => {
      const { Tiktoken } = await import('js-tiktoken/lite');
      // js-tiktoken ships its own copy of the ranks, with a pattern JavaScript can compile.
      const ranks = (await import(`js-tiktoken/ranks/${encoding}`)).default;
      const t = new Tiktoken(ranks);
      return {
        encode: (s) => t.encode(s, [], []),
        decode: (ids) => t.decode(ids),
        count: (s) => t.encode(s, [], []).length,
      };
    },
  },
  {
    name: 'gpt-tokenizer',
    create: async (encoding) => {
      const t = await import(`gpt-tokenizer/encoding/${encoding}`);
      t.clearMergeCache();
      const options = { disallowedSpecial: new Set<string>() };
      return {
        encode: (s) => t.encode(s, options),
        decode: (ids) => t.decode(ids),
        count: (s) => t.countTokens(s, options),
      };
    },
  },
  {
    name: 'ai-tokenizer',
    create: async (encoding) => {
      const { default: Tokenizer } = await import('ai-tokenizer');
      const data = await import(`ai-tokenizer/encoding/${encoding}`);
      const t = new Tokenizer(data);
      return {
        encode: (s) => t.encode(s, [], []),
        decode: (ids) => t.decode(ids),
        count: (s) => t.count(s),
      };
    },
  },
  {
    name: '@microsoft/tiktokenizer',
    create: async (encoding) => {
      const { createTokenizer, getRegexByEncoder, getSpecialTokensByEncoder } = await import(
        '@microsoft/tiktokenizer'
      );
      const t = createTokenizer(
        rankFile(encoding),
        getSpecialTokensByEncoder(encoding),
        getRegexByEncoder(encoding),
      );
      return {
        encode: (s) => t.encode(s, []),
        decode: (ids) => t.decode(ids),
        count: (s) => t.encode(s, []).length,
      };
    },
  },
  {
    name: '@anysphere/tiktoken-node (native)',
    optionalModule: '@anysphere/tiktoken-node',
    create: (encoding) => {
      const native = require('@anysphere/tiktoken-node');
      const t = native.getTokenizer();
      const e =
        encoding === 'cl100k_base'
          ? native.SupportedEncoding.Cl100k
          : native.SupportedEncoding.O200k;
      const normal = native.SpecialTokenAction.NormalText;
      return {
        encode: (s) => t.encode(s, e, normal, []),
        decode: (ids) => t.decode(ids, e),
        count: (s) => t.exactNumTokensNoSpecialTokens(s, e),
      };
    },
  },
  {
    name: 'Hugging Face tokenizers (native)',
    create: (encoding) => {
      const { Tokenizer } = require('tokenizers');
      const t = Tokenizer.fromString(huggingFaceJson(encoding));
      return {
        encode: async (s) => (await t.encode(s, null, { addSpecialTokens: false })).getIds(),
        decode: (ids) => t.decode(ids, false),
        count: async (s) => (await t.encode(s, null, { addSpecialTokens: false })).getIds().length,
      };
    },
  },
];

function installed(module: string): boolean {
  try {
    require.resolve(module);
    return true;
  } catch {
    console.warn(`(skipping ${module}: not installed; \`npm i --no-save ${module}\` includes it)`);
    return false;
  }
}

/** The peers present in this installation. */
export const PEERS: readonly Peer[] = ALL_PEERS.filter(
  (peer) => peer.optionalModule === undefined || installed(peer.optionalModule),
);
