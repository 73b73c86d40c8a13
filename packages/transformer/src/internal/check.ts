/** The package's argument validators, throwing {@link TransformerError}. */
import { type ArgumentChecks, argumentChecks } from '@llmkit/numeric';
import { TransformerError } from '../errors.js';

export const check: ArgumentChecks = argumentChecks((init) => new TransformerError(init));

/** Throws `INVALID_ARGUMENT` from `fn` about `argument`. */
export function invalid(fn: string, argument: string, detail: string): never {
  throw new TransformerError({ code: 'INVALID_ARGUMENT', fn, argument, detail });
}
