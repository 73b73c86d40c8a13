/** The package's argument validators, throwing {@link TensorError}. */
import { type ArgumentChecks, argumentChecks } from '@llmkit/numeric';
import { TensorError } from '../errors.js';

export const check: ArgumentChecks = argumentChecks((init) => new TensorError(init));
