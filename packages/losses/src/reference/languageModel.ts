/**
 * The educational twin of the logits losses: plain loops over row-major arrays in float64,
 * one line per formula, no tensors. The tensor versions are tested against these (values, and
 * gradients through finite differences of these), and they are the place to read the maths.
 * Inputs are not validated beyond what the loops need.
 */
import { logSumExp } from '@llmkit/numeric';
import type { Reduction } from '../crossEntropy.js';

/** Logits as a row-major array with their [N, V] dimensions ([B, T, V] flattened). @public */
export interface LogitsReference {
  readonly values: ArrayLike<number>;
  /** Rows N (= B·T). */
  readonly rows: number;
  /** Classes V. */
  readonly vocab: number;
}

function rowOf(logits: LogitsReference, n: number): Float64Array {
  const row = new Float64Array(logits.vocab);
  for (let v = 0; v < logits.vocab; v++) row[v] = logits.values[n * logits.vocab + v]!;
  return row;
}

/** Options of {@link crossEntropyReference}, as {@link CrossEntropyOptions}. @public */
export interface CrossEntropyReferenceOptions {
  readonly ignoreIndex?: number;
  readonly labelSmoothing?: number;
  readonly zLoss?: number;
  readonly reduction?: Reduction;
}

/**
 * Cross-entropy in float64: per row, lse − (1−ε)·x_t − (ε/V)·Σ_v x_v + z·lse², averaged over
 * the rows whose target is not ignored (0 when none is). `loss` is a number for `'mean'` and
 * `'sum'`, per-row losses for `'none'`.
 * @public
 */
export function crossEntropyReference(
  logits: LogitsReference,
  targets: ArrayLike<number>,
  options: CrossEntropyReferenceOptions = {},
): { loss: number | Float64Array; tokenCount: number } {
  const ignore = options.ignoreIndex ?? -100;
  const eps = options.labelSmoothing ?? 0;
  const z = options.zLoss ?? 0;
  const perRow = new Float64Array(logits.rows);
  let count = 0;
  for (let n = 0; n < logits.rows; n++) {
    const t = targets[n]!;
    if (t === ignore) continue;
    const row = rowOf(logits, n);
    const lse = logSumExp(row);
    let meanLogProb = 0;
    for (let v = 0; v < logits.vocab; v++) meanLogProb += (row[v]! - lse) / logits.vocab;
    perRow[n] = -(1 - eps) * (row[t]! - lse) - eps * meanLogProb + z * lse * lse;
    count++;
  }
  const reduction = options.reduction ?? 'mean';
  if (reduction === 'none') return { loss: perRow, tokenCount: count };
  const sum = perRow.reduce((a, b) => a + b, 0);
  return { loss: reduction === 'sum' ? sum : sum / Math.max(count, 1), tokenCount: count };
}

/** log softmax(row)[target] per row, 0 where the target is `ignoreIndex`. @public */
export function tokenLogProbsReference(
  logits: LogitsReference,
  targets: ArrayLike<number>,
  ignoreIndex = -100,
): Float64Array {
  const out = new Float64Array(logits.rows);
  for (let n = 0; n < logits.rows; n++) {
    if (targets[n] === ignoreIndex) continue;
    const row = rowOf(logits, n);
    out[n] = row[targets[n]!]! - logSumExp(row);
  }
  return out;
}

/**
 * Σ_t mask[b, t+1]·log p(ids[b, t+1] | logits[b, t]) per sequence of a [B, T, V] batch (rows =
 * B·T), divided by the count of kept tokens (at least 1) with `average`.
 * @public
 */
export function sequenceLogProbsReference(
  logits: LogitsReference,
  batch: number,
  inputIds: ArrayLike<number>,
  completionMask: ArrayLike<number>,
  average = false,
): Float64Array {
  const length = logits.rows / batch;
  const out = new Float64Array(batch);
  for (let b = 0; b < batch; b++) {
    let sum = 0;
    let count = 0;
    for (let t = 0; t + 1 < length; t++) {
      const next = b * length + t + 1;
      if (completionMask[next] === 0) continue;
      const row = rowOf(logits, b * length + t);
      sum += row[inputIds[next]!]! - logSumExp(row);
      count++;
    }
    out[b] = average ? sum / Math.max(count, 1) : sum;
  }
  return out;
}

/** −Σ_v p_v·log p_v per row. @public */
export function tokenEntropyReference(logits: LogitsReference): Float64Array {
  const out = new Float64Array(logits.rows);
  for (let n = 0; n < logits.rows; n++) {
    const row = rowOf(logits, n);
    const lse = logSumExp(row);
    let h = 0;
    for (let v = 0; v < logits.vocab; v++) {
      const logP = row[v]! - lse;
      h -= Math.exp(logP) * logP;
    }
    out[n] = h;
  }
  return out;
}
