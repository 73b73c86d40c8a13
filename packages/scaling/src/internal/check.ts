import { type ArgumentChecks, argumentChecks } from '@llmkit/numeric';
import { ScalingError } from '../errors.js';

/** The boundary checks of `@llmkit/scaling`, throwing {@link ScalingError}. */
export const check: ArgumentChecks = argumentChecks((init) => new ScalingError(init));
