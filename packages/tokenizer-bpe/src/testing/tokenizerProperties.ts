/**
 * A property suite that any `Tokenizer` can be run against — ours, tiktoken's, a wrapper around
 * a server — with any test runner: each property is a named function that runs fast-check and
 * throws on a counterexample.
 */
import fc from 'fast-check';
import { toWellFormed } from '../internal/utf8.js';
import { StreamingDecoder } from '../streamingDecoder.js';
import type { Tokenizer } from '../tokenizer.js';
import { hostileText } from './arbitraries.js';

/** The properties of the suite. @public */
export type TokenizerPropertyName =
  | 'roundTrip'
  | 'loneSurrogates'
  | 'countMatchesEncode'
  | 'idsInVocabulary'
  | 'deterministic'
  | 'streamingDecode'
  | 'specialTokenPolicy';

/** fast-check settings a property runs with. @public */
export type PropertyParameters = Pick<
  fc.Parameters<unknown>,
  'numRuns' | 'seed' | 'path' | 'verbose' | 'interruptAfterTimeLimit' | 'endOnFailure' | 'examples'
>;

/** One property of the suite. @public */
export interface TokenizerProperty {
  readonly name: TokenizerPropertyName;
  /** What the property states. */
  readonly description: string;
  /** Runs the property; throws fast-check's report on a counterexample. */
  readonly run: (parameters?: PropertyParameters) => void;
}

/** Options of {@link tokenizerProperties}. @public */
export interface TokenizerPropertiesOptions {
  /** Properties to leave out (for a tokenizer that documents a different policy). */
  readonly skip?: readonly TokenizerPropertyName[];
  /**
   * Most hostile fragments per generated text.
   * @defaultValue 8
   */
  readonly maxFragments?: number;
}

const ordinary = { disallowedSpecial: [] as string[] };

function sameIds(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The property suite for `tokenizer`.
 * @example
 * ```ts
 * for (const p of tokenizerProperties(tokenizer)) it(p.name, () => p.run({ numRuns: 200 }));
 * ```
 * @public
 */
export function tokenizerProperties(
  tokenizer: Tokenizer,
  options: TokenizerPropertiesOptions = {},
): TokenizerProperty[] {
  const specials = [...tokenizer.specialTokens.keys()];
  const maxFragments = options.maxFragments ?? 8;
  const text = hostileText({ specialTokens: specials, maxFragments });
  const anyText = hostileText({ specialTokens: specials, maxFragments, loneSurrogates: true });
  const check =
    <T>(arbitrary: fc.Arbitrary<T>, predicate: (value: T) => void) =>
    (parameters?: PropertyParameters): void => {
      try {
        fc.assert(
          fc.property(arbitrary, (value) => {
            predicate(value);
          }),
          parameters as fc.Parameters<[T]>,
        );
      } catch (error) {
        // fast-check keeps the failing check's message in `cause`; put it in the report.
        const cause = (error as Error).cause;
        const reason = cause instanceof Error ? `\nReason: ${cause.message}` : '';
        throw new Error(`${(error as Error).message}${reason}`, { cause: error });
      }
    };

  const all: TokenizerProperty[] = [
    {
      name: 'roundTrip',
      description: 'decode(encode(text)) = text for well-formed text',
      run: check(text, (s) => {
        const back = tokenizer.decode(tokenizer.encode(s, ordinary));
        if (back !== s)
          throw new Error(`decode(encode(s)) = ${JSON.stringify(back)} ≠ ${JSON.stringify(s)}`);
      }),
    },
    {
      name: 'loneSurrogates',
      description: 'lone surrogates encode as U+FFFD: decode(encode(text)) = text.toWellFormed()',
      run: check(anyText, (s) => {
        const back = tokenizer.decode(tokenizer.encode(s, ordinary));
        if (back !== toWellFormed(s))
          throw new Error(`decode(encode(s)) = ${JSON.stringify(back)}`);
      }),
    },
    {
      name: 'countMatchesEncode',
      description: 'count(text) = encode(text).length',
      run: check(anyText, (s) => {
        const count = tokenizer.count(s, ordinary);
        const length = tokenizer.encode(s, ordinary).length;
        if (count !== length) throw new Error(`count ${count} ≠ encode().length ${length}`);
      }),
    },
    {
      name: 'idsInVocabulary',
      description: 'every id is an integer in [0, vocabSize)',
      run: check(anyText, (s) => {
        for (const id of tokenizer.encode(s, ordinary)) {
          if (!Number.isInteger(id) || id < 0 || id >= tokenizer.vocabSize) {
            throw new Error(`id ${id} is outside [0, ${tokenizer.vocabSize})`);
          }
        }
      }),
    },
    {
      name: 'deterministic',
      description: 'encoding twice, or in a batch, gives the same ids',
      run: check(fc.array(anyText, { minLength: 1, maxLength: 3 }), (texts) => {
        const batch = tokenizer.encodeBatch(texts, ordinary);
        texts.forEach((s, i) => {
          const once = tokenizer.encode(s, ordinary);
          if (!sameIds(once, tokenizer.encode(s, ordinary)) || !sameIds(once, batch[i]!)) {
            throw new Error(`encoding ${JSON.stringify(s)} is not deterministic`);
          }
        });
      }),
    },
    {
      name: 'streamingDecode',
      description:
        'StreamingDecoder chunks are well-formed and join to decode(ids), however ids are split',
      run: check(
        fc.tuple(anyText, fc.array(fc.integer({ min: 1, max: 4 }), { maxLength: 50 })),
        ([s, sizes]) => {
          const ids = [...tokenizer.encode(s, ordinary)];
          const stream = new StreamingDecoder(tokenizer);
          let joined = '';
          for (let at = 0, k = 0; at < ids.length; k++) {
            const size = sizes.length > 0 ? sizes[k % sizes.length]! : 1;
            const chunk = stream.push(ids.slice(at, at + size));
            if (toWellFormed(chunk) !== chunk)
              throw new Error(`chunk ${JSON.stringify(chunk)} is not well-formed`);
            joined += chunk;
            at += size;
          }
          joined += stream.flush();
          const whole = tokenizer.decode(ids);
          if (joined !== whole)
            throw new Error(`streamed ${JSON.stringify(joined)} ≠ ${JSON.stringify(whole)}`);
        },
      ),
    },
  ];
  if (specials.length > 0) {
    all.push({
      name: 'specialTokenPolicy',
      description:
        'a special token in text throws by default, becomes its id where allowed (the text around it encoded on its own), and is plain text where not disallowed',
      run: check(fc.tuple(text, fc.constantFrom(...specials), text), ([before, special, after]) => {
        const s = before + special + after;
        let threw = false;
        try {
          tokenizer.encode(s);
        } catch {
          threw = true;
        }
        if (!threw) throw new Error(`encode(${JSON.stringify(s)}) did not throw`);
        const id = tokenizer.specialTokens.get(special)!;
        const expected = [
          ...tokenizer.encode(before, ordinary),
          id,
          ...tokenizer.encode(after, ordinary),
        ];
        if (!sameIds(tokenizer.encode(s, { allowedSpecial: [special] }), expected)) {
          throw new Error(`allowedSpecial did not give ${JSON.stringify(expected)}`);
        }
        if ([...tokenizer.encode(s, ordinary)].includes(id)) {
          throw new Error(`disallowedSpecial: [] still produced the special id ${id}`);
        }
      }),
    });
  }
  const skip = new Set(options.skip ?? []);
  return all.filter((p) => !skip.has(p.name));
}

/**
 * Runs every property of {@link tokenizerProperties}; throws the first failure, named.
 * @public
 */
export function checkTokenizer(
  tokenizer: Tokenizer,
  options: TokenizerPropertiesOptions & { readonly parameters?: PropertyParameters } = {},
): void {
  for (const property of tokenizerProperties(tokenizer, options)) {
    try {
      property.run(options.parameters);
    } catch (error) {
      throw new Error(
        `tokenizer property ${property.name} (${property.description}) failed:\n${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
  }
}
