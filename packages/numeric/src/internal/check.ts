import { type ArgumentChecks, argumentChecks } from '../argumentChecks.js';
import { NumericError } from '../errors.js';

/** The boundary checks `@llmkit/numeric` itself uses. */
export const check: ArgumentChecks = argumentChecks((init) => new NumericError(init));
