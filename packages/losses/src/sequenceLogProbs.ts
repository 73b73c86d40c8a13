/**
 * The log-probability a causal language model gives to the completion of each sequence: what
 * DPO, SimPO, ORPO and KTO compare. It takes the unshifted `inputIds` the model read, so the
 * one-position shift between logits and tokens happens here, once, as TRL's
 * `DPOTrainer.concatenated_forward` does it (labels = inputIds rolled left by one).
 */
import { ops, scope, softmaxCrossEntropyParts, type Tensor } from '@llmkit/tensor-gpu';
import { LossError } from './errors.js';
import { finiteRows, readHost, readMask, sameShape, shapeOf, tensorArg } from './internal/check.js';
import { prepareTargets } from './internal/targets.js';

/** Options of {@link sequenceLogProbs}. @public */
export interface SequenceLogProbsOptions {
  /**
   * Divide each sum by its number of completion tokens (the length-normalised score of SimPO,
   * ORPO and IPO) instead of returning the sum (DPO, KTO).
   * @defaultValue false
   */
  readonly average?: boolean;
}

const FN = 'sequenceLogProbs';

/**
 * Σ_t completionMask[b, t+1] · log p(inputIds[b, t+1] | logits[b, t]) for each sequence b: the
 * logits at position t score the token at t+1, and only completion tokens count. The first
 * token can never be scored (nothing precedes it) and the logits of the last position are never
 * used. With `average`, the sum is divided by the number of counted tokens; a sequence with
 * none gets 0 (TRL would give NaN).
 *
 * Ids at positions the mask leaves out are not read, so padding may hold any value (-100, a pad
 * id). Differentiable with respect to `logits`.
 *
 * @param logits - float32 [B, T, V], the model's output for `inputIds`
 * @param inputIds - int32 [B, T], prompt and completion as the model read them (unshifted)
 * @param completionMask - bool (or int32 0/1) [B, T], true on completion tokens
 * @returns float32 [B]
 * @example
 * ```ts
 * // ids  = [p0 p1 c0 c1 pad], mask = [0 0 1 1 0]
 * // sums log p(c0 | logits[1]) + log p(c1 | logits[2])
 * const chosen = sequenceLogProbs(logits, ids, mask);
 * ```
 * @throws LossError `DTYPE_MISMATCH` (a float mask, float ids), `SHAPE_MISMATCH`,
 *   `INVALID_ARGUMENT` (a counted id outside [0, V)), `NON_FINITE` (NaN logits).
 * @public
 */
export function sequenceLogProbs(
  logits: Tensor,
  inputIds: Tensor,
  completionMask: Tensor,
  options: SequenceLogProbsOptions = {},
): Tensor {
  const x = tensorArg(FN, 'logits', logits, ['float32'], [3]);
  const [b, t, vocab] = x.shape as [number, number, number];
  const why = `the first two dimensions of logits ${shapeOf(x.shape)}`;
  const ids = tensorArg(FN, 'inputIds', inputIds, ['int32'], [2]);
  sameShape(FN, 'inputIds', ids, [b, t], why);
  const mask = tensorArg(FN, 'completionMask', completionMask, ['bool', 'int32'], [2]);
  sameShape(FN, 'completionMask', mask, [b, t], why);
  const average = options.average ?? false;

  // Position t is scored by token t+1 under mask t+1; the last position scores nothing.
  const idValues = readHost(FN, 'inputIds', ids);
  const maskValues = readMask(FN, 'completionMask', mask);
  const nextIds = new Int32Array(b * t);
  const nextMask = new Uint8Array(b * t);
  const counts = new Float32Array(b);
  for (let row = 0; row < b; row++) {
    for (let pos = 0; pos + 1 < t; pos++) {
      const i = row * t + pos;
      if (maskValues[i + 1] === 0) continue;
      const id = idValues[i + 1]!;
      if (id < 0 || id >= vocab) {
        throw new LossError({
          code: 'INVALID_ARGUMENT',
          fn: FN,
          argument: 'inputIds',
          detail:
            `the completion token ${id} at [${row}, ${pos + 1}] of inputIds ${shapeOf(ids.shape)} ` +
            `is outside [0, ${vocab}), the vocabulary of logits; fix the id or mask it out.`,
        });
      }
      nextIds[i] = id;
      nextMask[i] = 1;
      counts[row]! += 1;
    }
  }
  const prepared = prepareTargets(FN, 'inputIds', nextIds, [b, t], vocab, undefined, nextMask);
  // Positions that score nothing get label -1, the ignore index: loss 0, no gradient work.
  const labels = prepared.classes.map((c, i) => (prepared.weights[i] === 0 ? -1 : c));
  return scope(() => {
    const { loss, logSumExp } = softmaxCrossEntropyParts(x, ops.tensor(labels, [b, t], 'int32'), {
      ignoreIndex: -1,
    });
    finiteRows(FN, 'logits', x, logSumExp);
    const sums = ops.sub(0, ops.sum(loss, 1)); // +0, not -0, for a sequence with nothing counted
    if (!average) return sums;
    return ops.div(sums, ops.tensor1d(counts.map((c) => Math.max(c, 1))));
  });
}
