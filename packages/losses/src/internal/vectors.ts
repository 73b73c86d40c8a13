/**
 * Checks for the per-example inputs of the preference and reward losses: float32 vectors of one
 * length B, named as the caller named them.
 */
import type { Tensor } from '@llmkit/tensor-gpu';
import { LossError } from '../errors.js';
import { sameShape, tensorArg } from './check.js';

/**
 * Every entry of `inputs` must be a float32 tensor of shape [B], B ≥ 1 the length of the first
 * (or `length`, when given); `prefix` names the object they came in (`'inputs'`).
 */
export function sameLengthVectors<K extends string>(
  fn: string,
  prefix: string,
  inputs: Readonly<Partial<Record<K, unknown>>>,
  names: readonly K[],
  options: { readonly length?: number; readonly allowEmpty?: boolean } = {},
): Record<K, Tensor> {
  const out = {} as Record<K, Tensor>;
  let length = options.length;
  let first = '';
  for (const name of names) {
    const argument = prefix === '' ? name : `${prefix}.${name}`;
    const t = tensorArg(fn, argument, inputs[name], ['float32'], [1]);
    if (length === undefined) {
      length = t.shape[0]!;
      first = argument;
      if (length === 0 && options.allowEmpty !== true) {
        throw new LossError({
          code: 'EMPTY_INPUT',
          fn,
          argument,
          detail: 'expected at least one example, received shape [0].',
        });
      }
    }
    sameShape(fn, argument, t, [length], first === '' ? 'one entry per example' : `as ${first}`);
    out[name] = t;
  }
  return out;
}
