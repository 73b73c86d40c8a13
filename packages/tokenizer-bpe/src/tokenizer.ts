/**
 * The `Tokenizer` interface: what every llmkit package (and the property-test kit) needs from a
 * tokenizer. `BpeTokenizer` implements it; so can a wrapper around any other library.
 */

/**
 * Which special tokens a call may encode as special tokens, and which make it throw — tiktoken's
 * `allowed_special` / `disallowed_special` (`tiktoken/core.py`, `Encoding.encode`).
 * @public
 */
export interface EncodeOptions {
  /**
   * Special tokens to encode as their ids when their text appears: `'all'` or a list of token
   * strings.
   * @defaultValue none
   */
  readonly allowedSpecial?: 'all' | Iterable<string>;
  /**
   * Special tokens whose text makes the call throw when it appears in the text: `'all'` means
   * every special token not in `allowedSpecial`; `[]` encodes such text as ordinary text.
   * @defaultValue `'all'`
   */
  readonly disallowedSpecial?: 'all' | Iterable<string>;
}

/**
 * A tokenizer: text to ids and back.
 * @public
 */
export interface Tokenizer {
  /** One more than the largest token id (special tokens included). */
  readonly vocabSize: number;
  /** Special token strings and their ids. */
  readonly specialTokens: ReadonlyMap<string, number>;
  /**
   * The ids of `text`. By default text that contains a special token's string throws, naming
   * the token; see {@link EncodeOptions}.
   */
  encode(text: string, options?: EncodeOptions): Uint32Array;
  /** {@link Tokenizer.encode} for each text. */
  encodeBatch(texts: readonly string[], options?: EncodeOptions): Uint32Array[];
  /** The text of `ids`; bytes that do not form valid UTF-8 become U+FFFD. */
  decode(ids: ArrayLike<number>): string;
  /** The exact bytes of `ids`. */
  decodeBytes(ids: ArrayLike<number>): Uint8Array;
  /** `encode(text, options).length`, without building the ids. */
  count(text: string, options?: EncodeOptions): number;
}
