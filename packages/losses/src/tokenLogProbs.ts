/**
 * log p(target) at every position: the building block of sequence scores, KL penalties and
 * policy-gradient ratios. The negated per-position loss of tensor-gpu's fused
 * `softmaxCrossEntropyParts`, as in {@link crossEntropy}, without a reduction.
 */
import { ops, scope, softmaxCrossEntropyParts, type Tensor } from '@llmkit/tensor-gpu';
import { check, finiteRows, readHost, sameShape, shapeOf, tensorArg } from './internal/check.js';
import { logitsArg, prepareTargets } from './internal/targets.js';

/** Options of {@link tokenLogProbs}. @public */
export interface TokenLogProbsOptions {
  /**
   * Target value whose positions get log-prob 0 (and no gradient).
   * @defaultValue -100
   */
  readonly ignoreIndex?: number;
}

const FN = 'tokenLogProbs';

/**
 * log softmax(logits)[…, target] per position, 0 where the target is `ignoreIndex`.
 * Differentiable with respect to `logits`; no [B, T, V] log-softmax is kept.
 *
 * @param logits - float32, shape [B, T, V] (or [N, V])
 * @param targets - int32, shape [B, T] (or [N]), aligned with `logits` (no shift)
 * @returns float32 of the shape of `targets`
 * @example
 * ```ts
 * const logps = tokenLogProbs(logits, targets); // [B, T]
 * ```
 * @throws LossError as {@link crossEntropy} does.
 * @public
 */
export function tokenLogProbs(
  logits: Tensor,
  targets: Tensor,
  options: TokenLogProbsOptions = {},
): Tensor {
  const x = logitsArg(FN, logits);
  const y = tensorArg(FN, 'targets', targets, ['int32'], [x.rank - 1]);
  const leading = x.shape.slice(0, -1);
  sameShape(FN, 'targets', y, leading, `the leading dimensions of logits ${shapeOf(x.shape)}`);
  const ignoreIndex = check.integer(FN, 'options.ignoreIndex', options.ignoreIndex ?? -100);
  const vocab = x.shape[x.rank - 1]!;
  prepareTargets(FN, 'targets', readHost(FN, 'targets', y), y.shape, vocab, ignoreIndex);
  return scope(() => {
    const { loss, logSumExp } = softmaxCrossEntropyParts(x, y, { ignoreIndex });
    finiteRows(FN, 'logits', x, logSumExp);
    return ops.sub(0, loss); // +0 where ignored
  });
}
