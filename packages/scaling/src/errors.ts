/**
 * The error `@llmkit/scaling` throws: an {@link LlmkitError} with the package's prefix, so
 * callers branch on `code` and read `fn` and `argument` as with every llmkit package.
 */
import { LlmkitError, type LlmkitErrorInit } from '@llmkit/numeric';

/**
 * Thrown on bad input to any `@llmkit/scaling` function. The message reads
 * `@llmkit/scaling: <fn>(<argument>): <what was wrong and how to fix it>`.
 * @public
 */
export class ScalingError extends LlmkitError {
  constructor(init: LlmkitErrorInit) {
    super('scaling', init);
  }
}
