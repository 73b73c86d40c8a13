/**
 * Style-controlled arena ratings: Bradley–Terry with per-battle style features, fitted jointly,
 * as Chatbot Arena's style control (Li, Angelopoulos & Chiang, LMSYS blog, 2024; FastChat
 * `fastchat/serve/monitor/rating_systems.py`, `compute_style_control` and
 * `compute_bootstrap_style_control`). The model ratings then measure strength with the style
 * effect held fixed, and the style coefficients say how much each feature sways the votes.
 *
 * Features are z-scored across the battles first (FastChat's `preprocess_for_style`), so each
 * coefficient is the change in log-odds per standard deviation of its feature. FastChat fits with
 * a ridge penalty `reg = 0.5` on all parameters (ratings in base-10 units) and stops L-BFGS-B at
 * 100 iterations; here the default is the unpenalised maximum-likelihood fit, solved by Newton's
 * method to ‖∇‖∞ ≤ 1e-10 per battle, and {@link FASTCHAT_STYLE_PENALTY} reproduces FastChat's
 * objective. The bootstrap resamples battles with replacement (round r from
 * `new Random(seed).fork(r)`), each fit starting from the full-data solution.
 */
import { describeValue, type QuantileMethod, Random } from '@llmkit/numeric';
import type { Battle } from './battles.js';
import type { RatingInterval } from './bootstrapRatings.js';
import { type BradleyTerryOptions, ratingScale, toRatings } from './bradleyTerry.js';
import { EvalMetricsError } from './errors.js';
import { check, invalid, nonEmptyArray, throwIfAborted } from './internal/check.js';
import { forEachRange } from './internal/chunks.js';
import { type ContextualFit, fitContextual } from './internal/contextualFit.js';
import { coverage, rankByIntervals, summarizeReplicates } from './internal/intervals.js';
import { styleBattles } from './internal/styleBattles.js';
import { yieldToEventLoop } from './internal/yieldToEventLoop.js';

/** FastChat's `reg = 0.5` in this package's units (base 10, scale 400). @public */
export const FASTCHAT_STYLE_PENALTY: { readonly l2: number; readonly styleL2: number } =
  Object.freeze({ l2: 0.5 / Math.LN10 ** 2, styleL2: 0.5 });

/** Progress of {@link styleControlledRatings}, after every Newton iteration. @public */
export interface StyleControlProgress {
  /** 0 for the full-data fit, r for bootstrap round r (1-based). */
  readonly round: number;
  readonly rounds: number;
  readonly iteration: number;
  /** ‖∇(objective per battle)‖∞ after this iteration. */
  readonly gradientNorm: number;
}

/** Options of {@link styleControlledRatings}. @public */
export interface StyleControlOptions
  extends Pick<BradleyTerryOptions, 'scale' | 'base' | 'init' | 'anchor' | 'l2' | 'tolerance'> {
  /** Ridge penalty (styleL2/2)‖γ‖² on the style coefficients. @defaultValue 0 */
  readonly styleL2?: number;
  /** Z-score each feature across the battles (population standard deviation), as FastChat. @defaultValue true */
  readonly standardize?: boolean;
  /** Newton iteration limit per fit. @defaultValue 100 */
  readonly maxIterations?: number;
  /** Bootstrap resamples (0: no intervals). @defaultValue 0 */
  readonly rounds?: number;
  /** @defaultValue 0 */
  readonly seed?: number;
  /** Central coverage of the intervals. @defaultValue 0.95 */
  readonly confidence?: number;
  /** @defaultValue 'linear' */
  readonly quantileMethod?: QuantileMethod;
  /** Keep every round's ratings and coefficients. @defaultValue false */
  readonly keepReplicates?: boolean;
  /** Battles handled between two turns of the event loop. @defaultValue 32768 */
  readonly chunkSize?: number;
  /** Cancels between chunks with an `ABORTED` error. */
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: StyleControlProgress) => void;
}

/** A style coefficient's bootstrap summary. @public */
export interface CoefficientInterval {
  readonly estimate: number;
  readonly lower: number;
  readonly upper: number;
  readonly median: number;
  readonly standardError: number;
}

/** The outcome of {@link styleControlledRatings}; `K` names the features. @public */
export interface StyleControlResult<K extends string = string> {
  /** Style-controlled rating per model. */
  readonly ratings: Record<string, number>;
  /** Models from the highest style-controlled rating to the lowest. */
  readonly models: readonly string[];
  /** Log-odds for side A per unit of each (standardised) feature. */
  readonly coefficients: Record<K, number>;
  /** Subtracted from each feature (0 without standardising). */
  readonly featureMean: Record<K, number>;
  /** Each feature was divided by this (1 without standardising); 0 marks a constant feature, whose coefficient is 0. */
  readonly featureScale: Record<K, number>;
  readonly battles: number;
  /** Penalised negative log-likelihood per battle (nats). */
  readonly meanLoss: number;
  /** ‖∇(objective per battle)‖∞ at the solution. */
  readonly gradientNorm: number;
  readonly iterations: number;
  readonly converged: boolean;
  readonly rounds: number;
  /** With `rounds` > 0: rows with intervals and interval ranks, highest rating first. */
  readonly leaderboard?: readonly RatingInterval[];
  /** With `rounds` > 0. */
  readonly coefficientIntervals?: Record<K, CoefficientInterval>;
  /** Largest gradient norm over the full and bootstrap fits. */
  readonly worstGradientNorm: number;
  /** With `keepReplicates`: every round's values. */
  readonly replicates?: {
    readonly ratings: Record<string, Float64Array>;
    readonly coefficients: Record<K, Float64Array>;
  };
}

/**
 * Fits arena ratings and style coefficients jointly (contextual Bradley–Terry); `features[i]`
 * belongs to `battles[i]` (for example {@link styleFeatures} of its two answers).
 *
 * @example
 * ```ts
 * const features = log.map((b) => styleFeatures(b.answer_a, b.answer_b, { countTokens }));
 * const { ratings, coefficients, leaderboard } = await styleControlledRatings(log, features, {
 *   rounds: 100,
 *   seed: 1,
 * });
 * coefficients.tokens; // e.g. 0.25: longer answers win more often, at equal strength
 * ```
 * @throws EvalMetricsError on malformed battles or features, lengths that differ, an
 * unidentified battle graph without `l2`, a fit that diverges, or `ABORTED`.
 * @public
 */
export async function styleControlledRatings<F extends { readonly [K in keyof F]: number }>(
  battles: readonly Battle[],
  features: readonly F[],
  options: StyleControlOptions = {},
): Promise<StyleControlResult<Extract<keyof F, string>>> {
  type K = Extract<keyof F, string>;
  const fn = 'styleControlledRatings';
  nonEmptyArray<Battle>(fn, 'battles', battles);
  nonEmptyArray<F>(fn, 'features', features);
  check.sameLength(fn, 'battles', battles.length, 'features', features.length);
  const rounds = check.integer(fn, 'options.rounds', options.rounds ?? 0, { min: 0 });
  const seed = check.integer(fn, 'options.seed', options.seed ?? 0, { min: 0 });
  const confidence = coverage(fn, options.confidence);
  const styleL2 = check.nonNegative(fn, 'options.styleL2', options.styleL2 ?? 0);
  const chunkSize = check.integer(fn, 'options.chunkSize', options.chunkSize ?? 32_768, { min: 1 });
  if (options.onProgress !== undefined && typeof options.onProgress !== 'function') {
    invalid(
      fn,
      'options.onProgress',
      `expected a function, received ${describeValue(options.onProgress)}.`,
    );
  }
  const data = await styleBattles(fn, battles, features, {
    standardize: options.standardize ?? true,
    chunkSize,
    signal: options.signal,
  });
  const { table, names } = data;
  const settings = ratingScale(fn, table, {
    ...options,
    maxIterations: options.maxIterations ?? 100,
  });
  await data.checkIdentified(settings.l2, undefined, '');

  const fitSettings = (round: number) => ({
    fn,
    l2: settings.l2,
    styleL2,
    tolerance: settings.tolerance,
    maxIterations: settings.maxIterations,
    chunkSize,
    signal: options.signal,
    onIteration: (iteration: number, gradientNorm: number) =>
      options.onProgress?.({ round, rounds, iteration, gradientNorm }),
  });
  const fit = await fitContextual(data, fitSettings(0));
  checkFinite(fn, fit, data.rms, '');
  const full = toRatings(fit.theta, settings);
  const byModel = <T>(values: ArrayLike<T>): Record<string, T> =>
    Object.fromEntries(table.models.map((name, i) => [name, values[i] as T]));
  const byFeature = <T>(value: (k: number) => T) =>
    Object.fromEntries(names.map((name, k) => [name, value(k)])) as Record<K, T>;
  const ratings = byModel(full);
  const coefficients = byFeature((k) => fit.gamma[k] as number);

  let worstGradientNorm = fit.gradientNorm;
  let extra: Pick<
    StyleControlResult<K>,
    'leaderboard' | 'coefficientIntervals' | 'replicates'
  > = {};
  if (rounds > 0) {
    const m = table.models.length;
    const ratingSamples = Array.from({ length: m }, () => new Float64Array(rounds));
    const gammaSamples = names.map(() => new Float64Array(rounds));
    const start = new Float64Array(m + names.length);
    start.set(fit.theta);
    start.set(fit.gamma, m);
    const root = new Random(seed);
    const n = battles.length;
    const weights = new Float64Array(n);
    for (let r = 0; r < rounds; r++) {
      await yieldToEventLoop();
      throwIfAborted(fn, options.signal, `after ${r} of ${rounds} bootstrap rounds`);
      // n draws with replacement, as counts per battle.
      const rng = root.fork(r);
      weights.fill(0);
      await forEachRange(fn, n, chunkSize, options.signal, (begin, end) => {
        for (let i = begin; i < end; i++) {
          const j = rng.int(n);
          weights[j] = (weights[j] as number) + 1;
        }
      });
      await data.checkIdentified(settings.l2, weights, ` in bootstrap round ${r}`);
      const round: ContextualFit = await fitContextual(data, fitSettings(r + 1), weights, start);
      checkFinite(fn, round, data.rms, ` in bootstrap round ${r}`);
      worstGradientNorm = Math.max(worstGradientNorm, round.gradientNorm);
      const values = toRatings(round.theta, settings);
      for (let i = 0; i < m; i++) (ratingSamples[i] as Float64Array)[r] = values[i] as number;
      for (let k = 0; k < names.length; k++)
        (gammaSamples[k] as Float64Array)[r] = round.gamma[k] as number;
    }
    const method = options.quantileMethod ?? 'linear';
    const perModel = table.battlesPerModel();
    extra = {
      leaderboard: rankByIntervals(
        table.models.map((model, i) => ({
          model,
          rating: ratings[model] as number,
          ...summarizeReplicates(ratingSamples[i] as Float64Array, confidence, method),
          battles: perModel[model] as number,
        })),
      ),
      coefficientIntervals: byFeature((k) => ({
        estimate: fit.gamma[k] as number,
        ...summarizeReplicates(gammaSamples[k] as Float64Array, confidence, method),
      })),
      ...(options.keepReplicates
        ? {
            replicates: {
              ratings: byModel(ratingSamples),
              coefficients: byFeature((k) => gammaSamples[k] as Float64Array),
            },
          }
        : {}),
    };
  }
  return {
    ratings,
    models: [...table.models].sort((a, b) => (ratings[b] as number) - (ratings[a] as number)),
    coefficients,
    featureMean: byFeature((k) => data.mean[k] as number),
    featureScale: byFeature((k) => data.scale[k] as number),
    battles: battles.length,
    meanLoss: fit.meanLoss,
    gradientNorm: fit.gradientNorm,
    iterations: fit.iterations,
    converged: fit.converged,
    rounds,
    ...extra,
    worstGradientNorm,
  };
}

/**
 * Where a feature, alone or with the ratings, separates wins from losses, the maximum-likelihood
 * estimate does not exist: the fit runs towards infinity until the gradient test passes. Odds
 * ratios beyond e^20 per standard deviation of a feature (or between two models) mark that.
 */
function checkFinite(fn: string, fit: ContextualFit, rms: Float64Array, context: string): void {
  const spread = Math.max(...fit.theta) - Math.min(...fit.theta);
  let effect = 0;
  fit.gamma.forEach((g, k) => {
    effect = Math.max(effect, Math.abs(g) * (rms[k] as number));
  });
  if (!(spread <= SEPARATION && effect <= SEPARATION && Number.isFinite(fit.gradientNorm))) {
    throw new EvalMetricsError({
      code: 'NON_FINITE',
      fn,
      detail: `the fit diverged${context}: the style features (with the model ratings) separate wins from losses, so the maximum-likelihood estimate does not exist. Pass options.styleL2 > 0 (FASTCHAT_STYLE_PENALTY is FastChat's choice) or drop the separating feature.`,
    });
  }
}

const SEPARATION = 20;
