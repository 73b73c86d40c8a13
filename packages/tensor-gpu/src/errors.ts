/**
 * The error `@llmkit/tensor-gpu` throws: an {@link LlmkitError} with a stable `code`
 * (`INVALID_ARGUMENT`, `SHAPE_MISMATCH`, `DTYPE_MISMATCH`, `UNAVAILABLE`, `CORRUPT_DATA`, `LEAK`,
 * `ABORTED`, …) and a message `@llmkit/tensor-gpu: <fn>(<argument>): <detail>`.
 */
import { LlmkitError, type LlmkitErrorInit } from '@llmkit/numeric';

/** The error every `@llmkit/tensor-gpu` function throws on purpose. @public */
export class TensorError extends LlmkitError {
  constructor(init: LlmkitErrorInit) {
    super('tensor-gpu', init);
  }
}
