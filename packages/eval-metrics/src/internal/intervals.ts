/**
 * Percentile-bootstrap summaries and interval ranks, shared by the arena leaderboards (FastChat
 * `elo_analysis.py`: 2.5%/97.5% quantiles of the bootstrap ratings; rank = 1 + number of models
 * whose lower bound exceeds this model's upper bound).
 */
import { type QuantileMethod, quantiles, RunningMoments } from '@llmkit/numeric';
import { check, invalid } from './check.js';

/** Central interval, median and spread of one quantity's bootstrap replicates. */
export interface ReplicateSummary {
  readonly lower: number;
  readonly upper: number;
  readonly median: number;
  /** Standard deviation of the replicates (0 for a single round). */
  readonly standardError: number;
}

/** Checks a central coverage strictly between 0 and 1. */
export function coverage(fn: string, value: number | undefined): number {
  const confidence = check.probability(fn, 'options.confidence', value ?? 0.95);
  if (confidence === 0 || confidence === 1) {
    invalid(
      fn,
      'options.confidence',
      'expected a coverage strictly between 0 and 1; 0.95 is usual.',
    );
  }
  return confidence;
}

/** Quantile interval and standard deviation of `replicates`. */
export function summarizeReplicates(
  replicates: Float64Array,
  confidence: number,
  method: QuantileMethod,
): ReplicateSummary {
  const tail = (1 - confidence) / 2;
  const [lower, median, upper] = quantiles(replicates, [tail, 0.5, 1 - tail], {
    method,
  }) as unknown as [number, number, number];
  const spread = new RunningMoments();
  for (let r = 0; r < replicates.length; r++) spread.add(replicates[r] as number);
  return {
    lower,
    upper,
    median,
    standardError: replicates.length > 1 ? spread.standardDeviation : 0,
  };
}

/** Adds interval ranks and sorts from the highest rating down. */
export function rankByIntervals<T extends { readonly rating: number } & ReplicateSummary>(
  rows: readonly T[],
): (T & { readonly rank: number })[] {
  return rows
    .map((row) => ({ ...row, rank: 1 + rows.filter((other) => other.lower > row.upper).length }))
    .sort((a, b) => b.rating - a.rating);
}
