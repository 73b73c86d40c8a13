/**
 * The error `@llmkit/losses` throws: an {@link LlmkitError} with a stable `code`
 * (`INVALID_ARGUMENT`, `SHAPE_MISMATCH`, `DTYPE_MISMATCH`, `NON_FINITE`, `EMPTY_INPUT`) and a
 * message `@llmkit/losses: <fn>(<argument>): <detail>` that names the tensor's shape.
 */
import { LlmkitError, type LlmkitErrorInit } from '@llmkit/numeric';

/** The error every `@llmkit/losses` function throws on purpose. @public */
export class LossError extends LlmkitError {
  constructor(init: LlmkitErrorInit) {
    super('losses', init);
  }
}
