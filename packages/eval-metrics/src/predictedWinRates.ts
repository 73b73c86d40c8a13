/**
 * The win-probability matrix implied by ratings: P(row beats column) =
 * 1 / (1 + base^((R_col − R_row)/scale)) — the "predicted win rate" table of the Chatbot Arena
 * notebook (`predict_win_rate` in FastChat's analysis), for Elo or Bradley–Terry ratings alike.
 */
import { describeValue } from '@llmkit/numeric';
import { check, invalid } from './internal/check.js';

/** Options of {@link predictedWinRates}. @public */
export interface PredictedWinRateOptions {
  /** @defaultValue 400 */
  readonly scale?: number;
  /** @defaultValue 10 */
  readonly base?: number;
}

/** Predicted win rates. @public */
export interface PredictedWinRates {
  /** Row and column order (highest rating first). */
  readonly models: readonly string[];
  /** matrix[i][j] = P(models[i] beats models[j]); the diagonal is ½. */
  readonly matrix: readonly Float64Array[];
}

/**
 * @example
 * ```ts
 * predictedWinRates({ a: 1100, b: 1000 }).matrix[0][1]; // 0.640…, 1 / (1 + 10^(-100/400))
 * ```
 * @public
 */
export function predictedWinRates(
  ratings: Readonly<Record<string, number>>,
  options: PredictedWinRateOptions = {},
): PredictedWinRates {
  const fn = 'predictedWinRates';
  if (typeof ratings !== 'object' || ratings === null || Object.keys(ratings).length === 0) {
    invalid(
      fn,
      'ratings',
      `expected a non-empty record of model → rating, received ${describeValue(ratings)}.`,
    );
  }
  const scale = check.positive(fn, 'options.scale', options.scale ?? 400);
  const base = check.positive(fn, 'options.base', options.base ?? 10);
  for (const [name, value] of Object.entries(ratings)) check.finite(fn, `ratings.${name}`, value);
  const models = Object.keys(ratings).sort(
    (a, b) => (ratings[b] as number) - (ratings[a] as number),
  );
  const matrix = models.map((row) =>
    Float64Array.from(
      models,
      (col) => 1 / (1 + base ** (((ratings[col] as number) - (ratings[row] as number)) / scale)),
    ),
  );
  return { models, matrix };
}
