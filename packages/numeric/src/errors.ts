/**
 * The error classes of llmkit's numeric floor.
 *
 * `LlmkitError` is the shape every llmkit package throws: a stable `code` to branch on, the
 * function and argument at fault, and a message that says what was received and how to fix
 * it. Packages that stand on `numeric` subclass it (`ScalingError`, `EvalError`, …) so callers
 * can tell them apart with `instanceof` while reading the same fields.
 */

/** Why an llmkit function rejected its input or could not finish. */
export type LlmkitErrorCode =
  /** An argument has the wrong type, range or shape. */
  | 'INVALID_ARGUMENT'
  /** A number that must be finite is NaN or ±Infinity (input or computed). */
  | 'NON_FINITE'
  /** An array or collection that needs at least one element is empty. */
  | 'EMPTY_INPUT'
  /** Two arguments disagree in length or shape. */
  | 'SHAPE_MISMATCH'
  /** The work was cancelled through an `AbortSignal`. */
  | 'ABORTED'
  /** Two arguments disagree in element type (e.g. float32 and int32 tensors, f16 and bf16 data). */
  | 'DTYPE_MISMATCH'
  /** A required runtime, device or optional package is missing or failed to start. */
  | 'UNAVAILABLE'
  /** Stored data (a file, a header, a byte buffer) is truncated, malformed or inconsistent. */
  | 'CORRUPT_DATA'
  /** An operation left resources (tensors, bytes) allocated that it should have released. */
  | 'LEAK';

/** The fields of an {@link LlmkitError}. @public */
export interface LlmkitErrorInit {
  /** Stable machine-readable reason. */
  readonly code: LlmkitErrorCode;
  /** The public function (or method) that rejected the call, e.g. `'quantile'`. */
  readonly fn: string;
  /** The argument at fault, as a path where useful, e.g. `'options.rounds'`. */
  readonly argument?: string;
  /** What was wrong and how to fix it (without the package prefix). */
  readonly detail: string;
}

/**
 * Base class of every error an llmkit package throws on purpose.
 *
 * The message reads `@llmkit/<package>: <fn>(<argument>): <detail>`.
 * @public
 */
export class LlmkitError extends Error {
  /** Stable machine-readable reason. */
  readonly code: LlmkitErrorCode;
  /** The function that rejected the call. */
  readonly fn: string;
  /** The argument at fault, when one is. */
  readonly argument: string | undefined;

  constructor(packageName: string, init: LlmkitErrorInit) {
    const where = init.argument === undefined ? init.fn : `${init.fn}(${init.argument})`;
    super(`@llmkit/${packageName}: ${where}: ${init.detail}`);
    this.name = new.target.name;
    this.code = init.code;
    this.fn = init.fn;
    this.argument = init.argument;
  }
}

/** The error `@llmkit/numeric` throws. @public */
export class NumericError extends LlmkitError {
  constructor(init: LlmkitErrorInit) {
    super('numeric', init);
  }
}
