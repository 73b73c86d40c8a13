/**
 * Head-to-head win rate from preferences in [0, 1] (1: the model's output preferred, 0: the
 * baseline's, ½: a tie) — AlpacaEval's `describe_head2head` (`metrics/helpers.py`): the win rate is
 * the mean preference, its standard error the standard error of that mean, and the discrete win
 * rate rounds each preference to win/tie/loss first. A seeded percentile bootstrap adds an
 * interval.
 */
import { bootstrap, describeValue, mean, RunningMoments } from '@llmkit/numeric';
import { check, invalid, nonEmptyArray } from './internal/check.js';

/** Options of {@link winRate}. @public */
export interface WinRateOptions {
  /** Bootstrap resamples for the interval (0 skips it). @defaultValue 1000 */
  readonly rounds?: number;
  /** @defaultValue 0 */
  readonly seed?: number;
  /** @defaultValue 0.95 */
  readonly confidence?: number;
}

/** A win rate with its uncertainty. @public */
export interface WinRateResult {
  /** Mean preference: wins count 1, ties ½. */
  readonly winRate: number;
  /** Standard error of the mean preference (sample standard deviation / √n). */
  readonly standardError: number;
  /** Percentile-bootstrap interval (NaN when `rounds` is 0). */
  readonly lower: number;
  readonly upper: number;
  /** Each preference rounded to win (> ½), tie (= ½) or loss first, as AlpacaEval's `discrete_win_rate`. */
  readonly discreteWinRate: number;
  /** Preferences above ½. */
  readonly wins: number;
  /** Preferences below ½. */
  readonly losses: number;
  /** Preferences exactly ½. */
  readonly ties: number;
  /** Preferences counted (nulls skipped). */
  readonly total: number;
}

/**
 * Win rate of a model against a baseline from per-item preferences; `null` marks an item
 * without a judgment and is skipped.
 *
 * @example
 * ```ts
 * winRate([1, 0, 0.5, 1]).winRate; // 0.625
 * ```
 * @throws EvalMetricsError on an empty list, a preference outside [0, 1] or NaN, or no
 * non-null preference.
 * @public
 */
export function winRate(
  preferences: readonly (number | null)[],
  options: WinRateOptions = {},
): WinRateResult {
  const fn = 'winRate';
  const given = nonEmptyArray<number | null>(fn, 'preferences', preferences);
  const values: number[] = [];
  for (let i = 0; i < given.length; i++) {
    const p = given[i];
    if (p === null) continue;
    values.push(check.probability(fn, `preferences[${i}]`, p));
  }
  if (values.length === 0)
    invalid(fn, 'preferences', 'every preference is null; nothing was judged.');
  const rounds = check.integer(fn, 'options.rounds', options.rounds ?? 1000, { min: 0 });
  const moments = new RunningMoments().addAll(values);
  let wins = 0;
  let losses = 0;
  let ties = 0;
  for (const p of values) {
    if (p > 0.5) wins++;
    else if (p < 0.5) losses++;
    else ties++;
  }
  let lower = Number.NaN;
  let upper = Number.NaN;
  if (rounds > 0) {
    const interval = bootstrap(values, mean, {
      rounds,
      seed: options.seed ?? 0,
      confidence: options.confidence ?? 0.95,
    });
    lower = interval.lower;
    upper = interval.upper;
  }
  return {
    winRate: moments.mean,
    standardError: moments.standardError,
    lower,
    upper,
    discreteWinRate: (wins + 0.5 * ties) / values.length,
    wins,
    losses,
    ties,
    total: values.length,
  };
}

/** How {@link reconcileSwappedJudgments} combines the two orders. @public */
export type SwapReconciliation =
  /** Mean of the two preferences (ties and disagreements land between). */
  | 'average'
  /** MT-Bench's rule: a win only when both orders agree, otherwise a tie (Zheng et al. 2023, §3.4). */
  | 'consistent';

/**
 * Position-debiased preference from judging a pair twice, once in each order.
 *
 * @param forward - P(first shown = the model wins), from the judge seeing (model, baseline).
 * @param swapped - P(first shown wins) from the judge seeing (baseline, model).
 * @returns the model's preference in [0, 1].
 * @example
 * ```ts
 * reconcileSwappedJudgments(1, 1); // 0.5: the judge always picks the first answer
 * reconcileSwappedJudgments(1, 0, 'consistent'); // 1: the model won in both orders
 * ```
 * @public
 */
export function reconcileSwappedJudgments(
  forward: number,
  swapped: number,
  mode: SwapReconciliation = 'average',
): number {
  const fn = 'reconcileSwappedJudgments';
  const a = check.probability(fn, 'forward', forward);
  const b = 1 - check.probability(fn, 'swapped', swapped);
  if (mode === 'average') return (a + b) / 2;
  if (mode === 'consistent') {
    const side = (p: number) => (p > 0.5 ? 1 : p < 0.5 ? 0 : 0.5);
    return side(a) === side(b) ? side(a) : 0.5;
  }
  return invalid(
    fn,
    'mode',
    `expected 'average' or 'consistent', received ${describeValue(mode)}.`,
  );
}
