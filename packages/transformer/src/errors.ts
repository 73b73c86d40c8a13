/**
 * The error `@llmkit/transformer` throws: an {@link LlmkitError} with a stable `code` and a
 * message `@llmkit/transformer: <fn>(<argument>): <detail>`.
 */
import { LlmkitError, type LlmkitErrorInit } from '@llmkit/numeric';

/** The error every `@llmkit/transformer` function throws on purpose. @public */
export class TransformerError extends LlmkitError {
  constructor(init: LlmkitErrorInit) {
    super('transformer', init);
  }
}
