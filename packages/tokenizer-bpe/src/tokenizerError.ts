/**
 * The error class of `@llmkit/tokenizer-bpe`.
 *
 * The package has no dependencies, so it does not extend `@llmkit/numeric`'s `LlmkitError`; it
 * has the same shape instead: a stable `code`, the function and argument at fault, and a message
 * `@llmkit/tokenizer-bpe: <fn>(<argument>): <detail>` that says what was received and the fix.
 */

/** Why a tokenizer function rejected its input. @public */
export type TokenizerErrorCode =
  /** An argument has the wrong type or range (a non-string text, an unknown id, …). */
  | 'INVALID_ARGUMENT'
  /** The text contains a special token's string that the call did not allow. */
  | 'DISALLOWED_SPECIAL_TOKEN'
  /** A tokenizer file or object is malformed (the message names the line or JSON path). */
  | 'INVALID_FORMAT'
  /** The input is valid but uses a feature this package does not implement. */
  | 'UNSUPPORTED'
  /** The input is larger than a configured limit. */
  | 'LIMIT_EXCEEDED';

/** The fields of a {@link TokenizerError}. @public */
export interface TokenizerErrorInit {
  /** Stable machine-readable reason. */
  readonly code: TokenizerErrorCode;
  /** The public function (or method) that rejected the call, e.g. `'encode'`. */
  readonly fn: string;
  /** The argument at fault, as a path where useful, e.g. `'options.allowedSpecial'`. */
  readonly argument?: string;
  /** What was wrong and how to fix it (without the package prefix). */
  readonly detail: string;
}

/**
 * The error every function of `@llmkit/tokenizer-bpe` throws on purpose.
 * @public
 */
export class TokenizerError extends Error {
  /** Stable machine-readable reason. */
  readonly code: TokenizerErrorCode;
  /** The function that rejected the call. */
  readonly fn: string;
  /** The argument at fault, when one is. */
  readonly argument: string | undefined;

  constructor(init: TokenizerErrorInit) {
    const where = init.argument === undefined ? init.fn : `${init.fn}(${init.argument})`;
    super(`@llmkit/tokenizer-bpe: ${where}: ${init.detail}`);
    this.name = 'TokenizerError';
    this.code = init.code;
    this.fn = init.fn;
    this.argument = init.argument;
  }
}
