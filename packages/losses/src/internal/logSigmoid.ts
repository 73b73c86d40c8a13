/**
 * log σ(x) = −softplus(−x), stable for any x. Not `ops.logSigmoid`: tfjs-core 4.22 builds that
 * one with a `customGrad` whose gradient reads its input without saving it, so inside a scope
 * (every loss here runs in one) the backward pass finds the input already freed.
 */
import { ops, type Tensor } from '@llmkit/tensor-gpu';

export function logSigmoid(x: Tensor): Tensor {
  return ops.neg(ops.softplus(ops.neg(x)));
}
