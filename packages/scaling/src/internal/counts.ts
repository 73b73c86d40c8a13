/**
 * Guards against the commonest planning mistake: a count given in billions or trillions
 * (`tokens: 15.6` for 15.6T). A language model has at least thousands of parameters and is
 * trained on at least thousands of tokens, so smaller values are rejected with the fix.
 */
import { describeValue } from '@llmkit/numeric';
import { ScalingError } from '../errors.js';
import { check } from './check.js';

/** What a count measures, for the message. */
export type CountKind = 'parameters' | 'tokens' | 'flops';

/** Smallest plausible value of each kind. 6 · 1e3 · 1e3 FLOPs is the smallest run allowed. */
const MINIMUM: Readonly<Record<CountKind, number>> = {
  parameters: 1e3,
  tokens: 1e3,
  flops: 6e6,
};

const EXAMPLE: Readonly<Record<CountKind, string>> = {
  parameters: '405e9 for a 405B-parameter model',
  tokens: '15.6e12 for 15.6T tokens',
  flops: '3.8e25 for 3.8 × 10^25 FLOPs',
};

/**
 * A raw count (parameters, tokens or FLOPs): finite, positive, and not so small that it must be
 * in millions, billions or trillions by mistake.
 */
export function checkCount(fn: string, argument: string, value: unknown, kind: CountKind): number {
  const x = check.positive(fn, argument, value);
  if (x < MINIMUM[kind]) {
    throw new ScalingError({
      code: 'INVALID_ARGUMENT',
      fn,
      argument,
      detail: `expected a raw count of ${kind} (${EXAMPLE[kind]}), received ${describeValue(x)}. A value below ${MINIMUM[kind]} cannot be a real ${kind === 'flops' ? 'budget' : 'count'}; it looks like a number in millions, billions or trillions — multiply it out.`,
    });
  }
  return x;
}
