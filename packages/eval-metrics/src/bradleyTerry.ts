/**
 * Bradley–Terry ratings on the Elo scale (Bradley & Terry 1952; Chatbot Arena: Chiang et al.,
 * "Chatbot Arena", 2024, §4): P(A beats B) = 1 / (1 + base^((R_B − R_A)/scale)), fitted by
 * maximum likelihood with ties as half a win and half a loss — FastChat's `compute_bt`
 * (`fastchat/serve/monitor/rating_systems.py`), solved to full convergence.
 */
import type { Battle, BattleCounts } from './battles.js';
import { battleCountsOf } from './internal/battleTable.js';
import {
  type FitOutcome,
  fitBradleyTerry,
  notIdentified,
  type PairTotals,
  unidentifiedModel,
} from './internal/btFit.js';
import { check, invalid } from './internal/check.js';

/** Where the rating scale is pinned. @public */
export type RatingAnchor = string | { readonly model: string; readonly rating: number };

/** Options of {@link bradleyTerry}. @public */
export interface BradleyTerryOptions {
  /** Rating points per factor of `base` in the odds. @defaultValue 400 */
  readonly scale?: number;
  /** Base of the odds. @defaultValue 10 */
  readonly base?: number;
  /** Mean rating when no `anchor` is named, or the anchor model's rating. @defaultValue 1000 */
  readonly init?: number;
  /**
   * Pin a named model at `init` (a string) or at a given rating, instead of centring the mean
   * at `init`. FastChat pins "mixtral-8x7b-instruct-v0.1" at 1114.
   */
  readonly anchor?: RatingAnchor;
  /**
   * Ridge penalty (l2/2)‖θ‖² on natural-unit ratings added to the summed negative
   * log-likelihood (a Gaussian prior). 0 fits the plain MLE, which requires a connected
   * battle graph. @defaultValue 0
   */
  readonly l2?: number;
  /** Stop when ‖∇(NLL per battle)‖∞ ≤ this. @defaultValue 1e-10 */
  readonly tolerance?: number;
  /** L-BFGS iteration limit. @defaultValue 1000 */
  readonly maxIterations?: number;
}

/** Fitted arena ratings. @public */
export interface BradleyTerryResult {
  /** Rating per model. */
  readonly ratings: Record<string, number>;
  /** Models from the highest rating to the lowest. */
  readonly models: readonly string[];
  /** Battles used. */
  readonly battles: number;
  /** Mean negative log-likelihood per battle (nats) at the solution. */
  readonly meanLoss: number;
  /** ‖∇(NLL per battle)‖∞ in natural units at the solution: how converged the fit is. */
  readonly gradientNorm: number;
  readonly iterations: number;
  readonly converged: boolean;
}

/** Validated scale settings. */
export interface RatingScale {
  readonly scale: number;
  readonly base: number;
  readonly init: number;
  readonly anchor: { readonly index: number; readonly rating: number } | undefined;
  readonly l2: number;
  readonly tolerance: number;
  readonly maxIterations: number;
}

/**
 * Fits Bradley–Terry ratings to battles (or a {@link BattleCounts} table).
 *
 * @example
 * ```ts
 * const { ratings, gradientNorm } = bradleyTerry(battles, { anchor: { model: 'gpt-4', rating: 1250 } });
 * ```
 * @throws EvalMetricsError on malformed battles, fewer than two models, an unknown anchor model,
 * or a battle graph whose ratings are not identified (without `l2`).
 * @public
 */
export function bradleyTerry(
  battles: readonly Battle[] | BattleCounts,
  options: BradleyTerryOptions = {},
): BradleyTerryResult {
  const fn = 'bradleyTerry';
  const table = battleCountsOf(fn, battles);
  const settings = ratingScale(fn, table, options);
  const pairs = pairTotals(table);
  checkIdentified(fn, table, pairs, settings, '');
  const fit = fitBradleyTerry(pairs, {
    models: table.models.length,
    l2: settings.l2,
    tolerance: settings.tolerance,
    maxIterations: settings.maxIterations,
  });
  return describeFit(table, fit, settings);
}

/** Checks the options against the table. */
export function ratingScale(
  fn: string,
  table: BattleCounts,
  options: BradleyTerryOptions,
): RatingScale {
  if (table.models.length < 2) {
    invalid(
      fn,
      'battles',
      `ratings need battles between at least two models, received ${table.models.length === 0 ? 'none' : `only ${JSON.stringify(table.models[0])}`}.`,
    );
  }
  const scale = check.positive(fn, 'options.scale', options.scale ?? 400);
  const base = check.positive(fn, 'options.base', options.base ?? 10);
  if (base === 1) invalid(fn, 'options.base', 'expected a base ≠ 1 (10 is the Elo convention).');
  const init = check.finite(fn, 'options.init', options.init ?? 1000);
  let anchor: RatingScale['anchor'];
  if (options.anchor !== undefined) {
    const name = typeof options.anchor === 'string' ? options.anchor : options.anchor?.model;
    const rating =
      typeof options.anchor === 'string'
        ? init
        : check.finite(fn, 'options.anchor.rating', options.anchor.rating);
    const index = table.models.indexOf(name as string);
    if (index === -1) {
      invalid(
        fn,
        'options.anchor',
        `unknown model ${JSON.stringify(name)}; the battles name ${table.models.length} models (e.g. ${table.models
          .slice(0, 3)
          .map((m) => JSON.stringify(m))
          .join(', ')}).`,
      );
    }
    anchor = { index, rating };
  }
  return {
    scale,
    base,
    init,
    anchor,
    l2: check.nonNegative(fn, 'options.l2', options.l2 ?? 0),
    tolerance: check.positive(fn, 'options.tolerance', options.tolerance ?? 1e-10),
    maxIterations: check.integer(fn, 'options.maxIterations', options.maxIterations ?? 1000, {
      min: 1,
    }),
  };
}

/** Pair totals (battles, score of the first model) from a table. */
export function pairTotals(table: BattleCounts): PairTotals {
  const cells = table.pairs();
  const n = cells.length;
  const out = {
    first: new Int32Array(n),
    second: new Int32Array(n),
    battles: new Float64Array(n),
    score: new Float64Array(n),
  };
  for (let k = 0; k < n; k++) {
    const cell = cells[k] as (typeof cells)[number];
    const [win, tie, loss] = cell.counts as unknown as [number, number, number];
    out.first[k] = cell.first;
    out.second[k] = cell.second;
    out.battles[k] = win + tie + loss;
    out.score[k] = win + 0.5 * tie;
  }
  return out;
}

/** Throws when the MLE does not exist and no penalty makes it unique. */
export function checkIdentified(
  fn: string,
  table: BattleCounts,
  pairs: PairTotals,
  settings: RatingScale,
  context: string,
): void {
  if (settings.l2 > 0) return;
  const bad = unidentifiedModel(pairs, table.models.length);
  if (bad !== -1) throw notIdentified(fn, table.models[bad] as string, context);
}

/** Natural-unit θ → Elo-scale ratings per model index. */
export function toRatings(theta: Float64Array, settings: RatingScale): Float64Array {
  const k = settings.scale / Math.log(settings.base);
  const out = new Float64Array(theta.length);
  for (let i = 0; i < theta.length; i++) out[i] = k * (theta[i] as number) + settings.init;
  if (settings.anchor !== undefined) {
    const shift = settings.anchor.rating - (out[settings.anchor.index] as number);
    for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) + shift;
  }
  return out;
}

function describeFit(
  table: BattleCounts,
  fit: FitOutcome,
  settings: RatingScale,
): BradleyTerryResult {
  const values = toRatings(fit.theta, settings);
  const ratings: Record<string, number> = {};
  table.models.forEach((name, i) => {
    ratings[name] = values[i] as number;
  });
  const models = [...table.models].sort((a, b) => (ratings[b] as number) - (ratings[a] as number));
  return {
    ratings,
    models,
    battles: table.battles,
    meanLoss: fit.meanLoss,
    gradientNorm: fit.gradientNorm,
    iterations: fit.iterations,
    converged: fit.converged,
  };
}
