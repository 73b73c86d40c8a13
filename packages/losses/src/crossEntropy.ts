/**
 * Token-level cross-entropy of language modelling, as `torch.nn.functional.cross_entropy` with
 * class probabilities over the last axis, an ignore index, label smoothing (Szegedy et al.,
 * "Rethinking the Inception Architecture", 2016, §7) and the z-loss of PaLM (Chowdhery et al.,
 * 2022, §5: z·log²Z keeps the softmax normaliser near 1).
 *
 * Not here: per-class weights, and the shift between inputs and targets (targets are already
 * the next tokens; {@link sequenceLogProbs} takes unshifted ids).
 */
import { ops, scope, softmaxCrossEntropyParts, type Tensor } from '@llmkit/tensor-gpu';
import {
  check,
  finiteRows,
  oneOf,
  readHost,
  sameShape,
  shapeOf,
  tensorArg,
} from './internal/check.js';
import { logitsArg, prepareTargets } from './internal/targets.js';

/** How per-position losses become the result. @public */
export type Reduction = 'mean' | 'sum' | 'none';

/** Options of {@link crossEntropy}. @public */
export interface CrossEntropyOptions {
  /**
   * Target value that marks a position to skip (padding, prompt tokens): it adds nothing to
   * the loss, its gradient or `tokenCount`.
   * @defaultValue -100 (PyTorch's and Hugging Face's convention)
   */
  readonly ignoreIndex?: number;
  /**
   * ε in [0, 1]: the target distribution becomes (1 − ε)·onehot + ε/V, so each position's loss
   * is (1 − ε)·(−log p_target) + ε·mean_v(−log p_v), as PyTorch's `label_smoothing`.
   * @defaultValue 0
   */
  readonly labelSmoothing?: number;
  /**
   * z ≥ 0: adds z·lse² per counted position, lse = log Σ_v exp(logit_v) (PaLM used 1e-4).
   * @defaultValue 0
   */
  readonly zLoss?: number;
  /**
   * `'mean'` over counted positions, `'sum'`, or `'none'` for the per-position losses (shape of
   * `targets`, 0 where ignored).
   * @defaultValue 'mean'
   */
  readonly reduction?: Reduction;
}

/** What {@link crossEntropy} returns. @public */
export interface CrossEntropyResult {
  /** A scalar for `'mean'` and `'sum'`; the shape of `targets` for `'none'`. */
  readonly loss: Tensor;
  /**
   * Positions that counted (targets ≠ ignoreIndex): the denominator of `'mean'`, and what to
   * sum across micro-batches when accumulating gradients over a fixed number of tokens.
   */
  readonly tokenCount: number;
}

const FN = 'crossEntropy';
const REDUCTIONS: readonly Reduction[] = ['mean', 'sum', 'none'];

/**
 * Cross-entropy between `logits` and integer `targets`, from a stable log-sum-exp: tensor-gpu's
 * fused `softmaxCrossEntropyParts`, which never stores the softmax, so a forward and backward
 * hold the logits and their gradient and nothing else of size [B, T, V]. Differentiable with
 * respect to `logits`.
 *
 * A batch in which every target is ignored gives a loss of 0 (and zero gradient) with
 * `tokenCount` 0 under `'mean'`, where PyTorch gives NaN (0/0).
 *
 * @param logits - float32, shape [B, T, V] (or [N, V])
 * @param targets - int32, shape [B, T] (or [N]): classes in [0, V) or `ignoreIndex`
 * @example
 * ```ts
 * const { loss, tokenCount } = crossEntropy(logits, targets, { labelSmoothing: 0.1 });
 * const [dLogits] = ops.grads((x: Tensor) => crossEntropy(x, targets).loss)([logits]);
 * ```
 * @throws LossError `DTYPE_MISMATCH` (targets not int32), `SHAPE_MISMATCH`, `INVALID_ARGUMENT`
 *   (a target outside [0, V) that is not the ignore index), `NON_FINITE` (NaN or +∞ logits).
 * @public
 */
export function crossEntropy(
  logits: Tensor,
  targets: Tensor,
  options: CrossEntropyOptions = {},
): CrossEntropyResult {
  const x = logitsArg(FN, logits);
  const y = tensorArg(FN, 'targets', targets, ['int32'], [x.rank - 1]);
  sameShape(
    FN,
    'targets',
    y,
    x.shape.slice(0, -1),
    `the leading dimensions of logits ${shapeOf(x.shape)}`,
  );
  const ignoreIndex = check.integer(FN, 'options.ignoreIndex', options.ignoreIndex ?? -100);
  const smoothing = check.probability(FN, 'options.labelSmoothing', options.labelSmoothing ?? 0);
  const z = check.nonNegative(FN, 'options.zLoss', options.zLoss ?? 0);
  const reduction = oneOf(FN, 'options.reduction', options.reduction ?? 'mean', REDUCTIONS);

  const vocab = x.shape[x.rank - 1]!;
  const prepared = prepareTargets(
    FN,
    'targets',
    readHost(FN, 'targets', y),
    y.shape,
    vocab,
    ignoreIndex,
  );
  const loss = scope(() => {
    const parts = softmaxCrossEntropyParts(x, y, { ignoreIndex, logProbSum: smoothing > 0 });
    finiteRows(FN, 'logits', x, parts.logSumExp);
    // (1 − ε)·(−log p_t) + ε·(−Σ_v log p_v / V) + z·lse², counted positions only
    let perRow = parts.loss;
    if (smoothing > 0) {
      perRow = ops.add(
        ops.mul(perRow, 1 - smoothing),
        ops.mul(parts.logProbSum!, -smoothing / vocab),
      );
    }
    if (z > 0) perRow = ops.add(perRow, ops.mul(ops.square(parts.logSumExp), z));
    const weighted = ops.mul(perRow, ops.tensor(prepared.weights, y.shape));
    if (reduction === 'none') return weighted;
    const total = ops.sum(weighted);
    return reduction === 'sum' ? total : ops.div(total, Math.max(prepared.count, 1));
  });
  return { loss, tokenCount: prepared.count };
}
