/**
 * The error `@llmkit/eval-metrics` throws: an {@link LlmkitError} with a stable `code`, the
 * function and argument at fault, and a message that says what was received and how to fix it.
 */
import { LlmkitError, type LlmkitErrorInit } from '@llmkit/numeric';

/** The error every `@llmkit/eval-metrics` function throws on bad input or cancellation. @public */
export class EvalMetricsError extends LlmkitError {
  constructor(init: LlmkitErrorInit) {
    super('eval-metrics', init);
  }
}
