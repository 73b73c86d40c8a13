/**
 * Choosing the next token from a row of logits, as Hugging Face's `generate` does with its
 * logits processors, in the same order (`generation/utils.py`, `_get_logits_processor`):
 *
 * 1. repetition penalty (Keskar et al. 2019, CTRL §4.1; `RepetitionPenaltyLogitsProcessor`):
 *    the logit ℓ of every token already in the sequence becomes ℓ/θ if ℓ > 0, else ℓ·θ;
 * 2. temperature: ℓ/T (`TemperatureLogitsWarper`); T = 0 means greedy (argmax);
 * 3. top-k: keep the k largest (ties with the k-th kept) (`TopKLogitsWarper`);
 * 4. top-p, nucleus (Holtzman et al. 2020): sort ascending, drop tokens while the cumulative
 *    probability is ≤ 1 − p, never the most likely (`TopPLogitsWarper`);
 * 5. min-p (Nguyen et al. 2024, arXiv:2407.01082): drop tokens with probability below
 *    p_min · p_max, never the most likely (`MinPLogitsWarper`);
 *
 * then sample from the softmax of what is left with a seeded generator (inverse CDF of one
 * uniform draw). Everything is computed on the host in float64.
 */
import { type Random, softmax } from '@llmkit/numeric';
import { check } from './internal/check.js';

/** How the next token is chosen. @public */
export interface SamplingOptions {
  /** Divides the logits; 0 picks the most likely token (greedy). @defaultValue 1 */
  readonly temperature?: number;
  /** Keep only the k most likely tokens; 0 turns it off. @defaultValue 0 */
  readonly topK?: number;
  /** Keep the smallest set of most likely tokens whose probability reaches p; 1 turns it off. @defaultValue 1 */
  readonly topP?: number;
  /** Drop tokens less likely than minP times the most likely one; 0 turns it off. @defaultValue 0 */
  readonly minP?: number;
  /** θ ≥ 1 penalises tokens already in the sequence (1.2 in CTRL); 1 turns it off. @defaultValue 1 */
  readonly repetitionPenalty?: number;
}

/** Sampling options with defaults filled in and checked. @internal */
export interface ResolvedSampling {
  readonly temperature: number;
  readonly topK: number;
  readonly topP: number;
  readonly minP: number;
  readonly repetitionPenalty: number;
}

/** Checks sampling options and fills in defaults. @internal */
export function resolveSampling(fn: string, options: SamplingOptions): ResolvedSampling {
  const temperature = check.nonNegative(fn, 'options.temperature', options.temperature ?? 1);
  const topK = check.integer(fn, 'options.topK', options.topK ?? 0, { min: 0 });
  const topP = check.probability(fn, 'options.topP', options.topP ?? 1);
  const minP = check.probability(fn, 'options.minP', options.minP ?? 0);
  const repetitionPenalty = check.positive(
    fn,
    'options.repetitionPenalty',
    options.repetitionPenalty ?? 1,
  );
  return { temperature, topK, topP, minP, repetitionPenalty };
}

/**
 * The logits after the repetition penalty and the warpers, removed tokens at −Infinity.
 * @param logits - one row of next-token logits [V]
 * @param previous - the tokens of the sequence so far (prompt and generated), for the penalty
 * @example
 * ```ts
 * processLogits(Float32Array.of(2, 1, 0), [], { topK: 2 }); // Float64Array [2, 1, -Infinity]
 * ```
 * @public
 */
export function processLogits(
  logits: ArrayLike<number>,
  previous: ArrayLike<number>,
  options: SamplingOptions = {},
): Float64Array {
  const fn = 'processLogits';
  check.finiteArray(fn, 'logits', logits, 1);
  return warp(Float64Array.from(logits), previous, resolveSampling(fn, options));
}

/** {@link processLogits} on a copy the caller owns, options already checked. @internal */
export function warp(
  scores: Float64Array,
  previous: ArrayLike<number>,
  options: ResolvedSampling,
): Float64Array {
  const v = scores.length;
  const { repetitionPenalty: theta, temperature, topK, topP, minP } = options;
  if (theta !== 1) {
    const seen = new Uint8Array(v);
    for (let i = 0; i < previous.length; i++) {
      const id = previous[i]!;
      if (id >= 0 && id < v) seen[id] = 1;
    }
    for (let id = 0; id < v; id++) {
      if (seen[id] === 1) scores[id] = scores[id]! < 0 ? scores[id]! * theta : scores[id]! / theta;
    }
  }
  if (temperature === 0) return scores;
  if (temperature !== 1) for (let id = 0; id < v; id++) scores[id] = scores[id]! / temperature;
  if (topK > 0 && topK < v) {
    const kth = Float64Array.from(scores).sort()[v - topK]!; // k-th largest
    for (let id = 0; id < v; id++) if (scores[id]! < kth) scores[id] = Number.NEGATIVE_INFINITY;
  }
  if (topP < 1) {
    const probabilities = softmax(scores);
    const order = Array.from({ length: v }, (_, i) => i).sort(
      (a, b) => scores[a]! - scores[b]! || a - b,
    );
    let cumulative = 0;
    for (let rank = 0; rank < v - 1; rank++) {
      const id = order[rank]!;
      cumulative += probabilities[id]!;
      if (cumulative > 1 - topP) break;
      scores[id] = Number.NEGATIVE_INFINITY;
    }
  }
  if (minP > 0) {
    const probabilities = softmax(scores);
    let top = 0;
    for (let id = 1; id < v; id++) if (probabilities[id]! > probabilities[top]!) top = id;
    const threshold = minP * probabilities[top]!;
    for (let id = 0; id < v; id++) {
      if (id !== top && probabilities[id]! < threshold) scores[id] = Number.NEGATIVE_INFINITY;
    }
  }
  return scores;
}

/** Index of the largest value (the first of ties, as `torch.argmax`). @internal */
export function argMax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

/**
 * Draws the next token: greedy at temperature 0, else from the softmax of the processed logits
 * by the inverse CDF of one uniform draw from `random`.
 * @public
 */
export function sampleToken(
  logits: ArrayLike<number>,
  previous: ArrayLike<number>,
  options: SamplingOptions,
  random: Random,
): number {
  const fn = 'sampleToken';
  check.finiteArray(fn, 'logits', logits, 1);
  return draw(Float64Array.from(logits), previous, resolveSampling(fn, options), random);
}

/** {@link sampleToken} on a copy the caller owns, options already checked. @internal */
export function draw(
  scores: Float64Array,
  previous: ArrayLike<number>,
  options: ResolvedSampling,
  random: Random,
): number {
  const processed = warp(scores, previous, options);
  if (options.temperature === 0) return argMax(processed);
  const probabilities = softmax(processed);
  const u = random.uniform();
  let cumulative = 0;
  let last = 0;
  for (let id = 0; id < probabilities.length; id++) {
    if (probabilities[id]! === 0) continue;
    cumulative += probabilities[id]!;
    last = id;
    if (u < cumulative) return id;
  }
  return last; // u within rounding of 1
}
