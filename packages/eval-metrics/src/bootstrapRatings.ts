/**
 * Bootstrap confidence intervals for Bradley–Terry ratings, and ranks from the intervals, as the
 * Chatbot Arena leaderboard reports them (FastChat `elo_analysis.py`: 2.5%/97.5% quantiles of the
 * bootstrap ratings; rank = 1 + number of models whose lower bound exceeds this model's upper
 * bound).
 *
 * Resampling: a bootstrap sample of N battles drawn with replacement has the same distribution as
 * a multinomial draw of N over the table's outcome cells with probabilities count / N (FastChat's
 * `compute_bootstrap_bt` uses this equivalence too). Round r draws from `new Random(seed).fork(r)`,
 * so any round is reproducible alone; each fit starts from the full-data solution and runs to the
 * same tolerance. The work yields to the event loop every ~15 ms.
 */
import { type QuantileMethod, Random, sampleMultinomial } from '@llmkit/numeric';
import type { Battle, BattleCounts } from './battles.js';
import {
  type BradleyTerryOptions,
  type BradleyTerryResult,
  bradleyTerry,
  checkIdentified,
  pairTotals,
  ratingScale,
  toRatings,
} from './bradleyTerry.js';
import { EvalMetricsError } from './errors.js';
import { battleCountsOfAsync } from './internal/battleTable.js';
import { fitBradleyTerry, type PairTotals } from './internal/btFit.js';
import { check, throwIfAborted } from './internal/check.js';
import { coverage, rankByIntervals, summarizeReplicates } from './internal/intervals.js';
import { cooperativeYield } from './internal/yieldToEventLoop.js';

/** Options of {@link bootstrapRatings}. @public */
export interface BootstrapRatingsOptions extends BradleyTerryOptions {
  /** Resamples. @defaultValue 1000 */
  readonly rounds?: number;
  /** Seed; round r uses `new Random(seed).fork(r)`. @defaultValue 0 */
  readonly seed?: number;
  /** Central coverage of the intervals. @defaultValue 0.95 */
  readonly confidence?: number;
  /** Quantile definition (pandas' `quantile` default is 'linear'). @defaultValue 'linear' */
  readonly quantileMethod?: QuantileMethod;
  /** Keep every round's ratings in the result. @defaultValue false */
  readonly keepReplicates?: boolean;
  /** Called after every round. */
  readonly onProgress?: (completed: number, total: number) => void;
  /** Cancels between rounds with an `ABORTED` error. */
  readonly signal?: AbortSignal;
}

/** One model's row of the leaderboard. @public */
export interface RatingInterval {
  readonly model: string;
  /** The full-data Bradley–Terry rating. */
  readonly rating: number;
  readonly lower: number;
  readonly upper: number;
  readonly median: number;
  /** Standard deviation of the bootstrap ratings. */
  readonly standardError: number;
  /** 1 + models whose lower bound is above this model's upper bound. */
  readonly rank: number;
  /** Battles the model took part in. */
  readonly battles: number;
}

/** The outcome of {@link bootstrapRatings}. @public */
export interface BootstrapRatingsResult {
  /** The full-data fit. */
  readonly fit: BradleyTerryResult;
  /** Leaderboard rows, highest rating first. */
  readonly leaderboard: readonly RatingInterval[];
  readonly rounds: number;
  readonly confidence: number;
  /** Largest gradient ∞-norm over the bootstrap fits. */
  readonly worstGradientNorm: number;
  /** Per model, its rating in every round (only with `keepReplicates`). */
  readonly replicates?: Record<string, Float64Array>;
}

/**
 * Bradley–Terry ratings with seeded bootstrap intervals and interval-based ranks.
 *
 * @example
 * ```ts
 * const { leaderboard } = await bootstrapRatings(battles, { rounds: 1000, seed: 42 });
 * for (const row of leaderboard) console.log(row.rank, row.model, row.rating, row.lower, row.upper);
 * ```
 * @throws EvalMetricsError as {@link bradleyTerry}; also when a resample leaves a model
 * unidentified (few battles: pass `l2`), or `ABORTED`.
 * @public
 */
export async function bootstrapRatings(
  battles: readonly Battle[] | BattleCounts,
  options: BootstrapRatingsOptions = {},
): Promise<BootstrapRatingsResult> {
  const fn = 'bootstrapRatings';
  const rounds = check.integer(fn, 'options.rounds', options.rounds ?? 1000, { min: 1 });
  const seed = check.integer(fn, 'options.seed', options.seed ?? 0, { min: 0 });
  const confidence = coverage(fn, options.confidence);
  const table = await battleCountsOfAsync(
    fn,
    battles,
    options.signal === undefined ? {} : { signal: options.signal },
  );
  const settings = ratingScale(fn, table, options);
  const fit = bradleyTerry(table, options);
  const m = table.models.length;
  const pairs = pairTotals(table);
  const thetaHat = new Float64Array(m);
  const k = Math.log(settings.base) / settings.scale;
  table.models.forEach((name, i) => {
    thetaHat[i] = k * ((fit.ratings[name] as number) - settings.init);
  });

  // Cells of the multinomial: (pair, outcome) with a positive count.
  const cellPair: number[] = [];
  const cellOutcome: number[] = [];
  const cellCount: number[] = [];
  table.pairs().forEach((cell, p) => {
    for (let o = 0; o < 3; o++) {
      const c = cell.counts[o] as number;
      if (c > 0) {
        cellPair.push(p);
        cellOutcome.push(o);
        cellCount.push(c);
      }
    }
  });
  const root = new Random(seed);
  const samples = Array.from({ length: m }, () => new Float64Array(rounds));
  const resampled: PairTotals = {
    first: pairs.first,
    second: pairs.second,
    battles: new Float64Array(pairs.first.length),
    score: new Float64Array(pairs.first.length),
  };
  const maybeYield = cooperativeYield();
  let worstGradientNorm = fit.gradientNorm;
  for (let r = 0; r < rounds; r++) {
    throwIfAborted(fn, options.signal, `after ${r} of ${rounds} rounds`);
    const counts = sampleMultinomial(root.fork(r), table.battles, cellCount);
    resampled.battles.fill(0);
    resampled.score.fill(0);
    for (let c = 0; c < counts.length; c++) {
      const n = counts[c] as number;
      if (n === 0) continue;
      const p = cellPair[c] as number;
      const o = cellOutcome[c] as number;
      resampled.battles[p] = (resampled.battles[p] as number) + n;
      if (o !== 2) resampled.score[p] = (resampled.score[p] as number) + (o === 0 ? n : 0.5 * n);
    }
    checkIdentified(fn, table, resampled, settings, ` in bootstrap round ${r}`);
    const round = fitBradleyTerry(
      resampled,
      {
        models: m,
        l2: settings.l2,
        tolerance: settings.tolerance,
        maxIterations: settings.maxIterations,
      },
      thetaHat.slice(),
    );
    worstGradientNorm = Math.max(worstGradientNorm, round.gradientNorm);
    const values = toRatings(round.theta, settings);
    for (let i = 0; i < m; i++) (samples[i] as Float64Array)[r] = values[i] as number;
    options.onProgress?.(r + 1, rounds);
    const pause = maybeYield();
    if (pause !== undefined) await pause;
  }
  if (!Number.isFinite(worstGradientNorm)) {
    throw new EvalMetricsError({ code: 'NON_FINITE', fn, detail: 'a bootstrap fit diverged.' });
  }

  const method = options.quantileMethod ?? 'linear';
  const perModel = table.battlesPerModel();
  const leaderboard = rankByIntervals(
    table.models.map((model, i) => ({
      model,
      rating: fit.ratings[model] as number,
      ...summarizeReplicates(samples[i] as Float64Array, confidence, method),
      battles: perModel[model] as number,
    })),
  );
  const replicates: Record<string, Float64Array> = {};
  if (options.keepReplicates) {
    for (const [i, name] of table.models.entries()) replicates[name] = samples[i] as Float64Array;
  }
  return {
    fit,
    leaderboard,
    rounds,
    confidence,
    worstGradientNorm,
    ...(options.keepReplicates ? { replicates } : {}),
  };
}
