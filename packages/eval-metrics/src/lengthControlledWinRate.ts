/**
 * AlpacaEval 2.0's length-controlled win rate, `length_controlled_v1` (Dubois et al.,
 * "Length-Controlled AlpacaEval", 2024; `alpaca_eval/metrics/glm_winrate.py`). A logistic GLM
 * predicts the judge's preference from
 *   tanh(Δlen / sd(Δlen)) + instruction_difficulty + not_gamed_baseline − 1   (no intercept),
 * with Δlen = len(baseline output) − len(model output) in Unicode code points, sd the sample
 * standard deviation over the model's rows. The precomputed rows of the baseline prompted to be
 * verbose and concise ("gamed baselines", not_gamed_baseline = 0) join the fit with weight
 * λ/2 = 0.1 each, tying the length and difficulty terms to the baseline's; the L1 penalty is chosen
 * by 5-fold grouped cross-validation (`internal/crossValidatedL1.ts`). The length-controlled win
 * rate is the mean predicted preference with the length term set to 0.
 *
 * Differences from alpaca_eval: every fit runs to convergence (liblinear stops at tol 1e-4, which
 * moves their numbers in the 4th–5th digit); rates are fractions, not percentages; a model whose
 * outputs all differ from the baseline's by the same length gets no length term (they divide by 0).
 */
import { describeValue } from '@llmkit/numeric';
import { check, invalid, nonEmptyArray, string } from './internal/check.js';
import { crossValidatedL1, DEFAULT_CS } from './internal/crossValidatedL1.js';
import { codePointLength } from './internal/text.js';
import { type WinRateResult, winRate } from './winRate.js';

/** One instruction judged against the baseline. @public */
export interface LengthControlledRow {
  readonly instruction: string;
  readonly output: string;
  readonly baselineOutput: string;
  /** In [0, 1]: 1 the model's output preferred, 0 the baseline's, ½ a tie; null if not judged. */
  readonly preference: number | null;
}

/** A precomputed row of a gamed baseline (alpaca_eval's `df_gamed.csv`). @public */
export interface GamedBaselineRow {
  /** The judge's preference for the gamed output, in [0, 1]. */
  readonly preference: number;
  /** Its already standardised length difference (`std_delta_len`). */
  readonly standardizedLengthDelta: number;
  readonly instructionDifficulty: number;
}

/** Options of {@link lengthControlledWinRate}. @public */
export interface LengthControlledOptions {
  /**
   * Difficulty of each row's instruction (alpaca_eval's `instruction_difficulty.csv`): one number
   * per row, or a record keyed by instruction text.
   */
  readonly instructionDifficulty: readonly number[] | Readonly<Record<string, number>>;
  /**
   * The gamed baseline rows, `{verbose, concise}` or one list in `df_gamed.csv` order. Omit to
   * fit without them (alpaca_eval's `length_controlled_noreg`).
   */
  readonly gamedBaselines?:
    | {
        readonly verbose: readonly GamedBaselineRow[];
        readonly concise: readonly GamedBaselineRow[];
      }
    | readonly GamedBaselineRow[];
  /** λ of `regularize_to_baseline_lambda`; each gamed row weighs λ/2. @defaultValue 0.2 */
  readonly regularizeToBaselineLambda?: number;
  /** Cross-validation folds. @defaultValue 5 */
  readonly folds?: number;
  /** Inverse penalties tried. @defaultValue numpy.logspace(-4, 4, 10) */
  readonly cs?: readonly number[];
}

/** Fitted GLM coefficients, named after alpaca_eval's design-matrix columns. @public */
export interface LengthControlledWeights {
  /** `np.tanh(std_delta_len)` */
  readonly length: number;
  /** `instruction_difficulty` */
  readonly instructionDifficulty: number;
  /** `not_gamed_baseline.astype(float)`: the model's own strength against the baseline. */
  readonly notGamedBaseline: number;
}

/** Length-controlled and raw win rates. @public */
export interface LengthControlledResult extends WinRateResult {
  /** Mean predicted preference with no length difference. */
  readonly lcWinRate: number;
  /** Standard error of the mean predicted preference (alpaca_eval's `lc_standard_error`). */
  readonly lcStandardError: number;
  readonly weights: LengthControlledWeights;
  /** The chosen inverse L1 penalty C. */
  readonly c: number;
  /** Length-controlled preference per row. */
  readonly predicted: Float64Array;
}

/**
 * Length-controlled win rate of a model against a baseline, as AlpacaEval 2.0 computes it.
 * @example
 * ```ts
 * const { winRate, lcWinRate } = lengthControlledWinRate(rows, { instructionDifficulty, gamedBaselines });
 * ```
 * @throws EvalMetricsError on empty or malformed rows, missing difficulties, preferences outside
 * [0, 1], or fewer judged rows than folds.
 * @public
 */
export function lengthControlledWinRate(
  rows: readonly LengthControlledRow[],
  options: LengthControlledOptions,
): LengthControlledResult {
  const fn = 'lengthControlledWinRate';
  const given = nonEmptyArray<LengthControlledRow>(fn, 'rows', rows);
  const n = given.length;
  const difficulty = difficulties(fn, given, options?.instructionDifficulty);
  const folds = check.integer(fn, 'options.folds', options.folds ?? 5, { min: 2 });
  const cs = check.finiteArray(fn, 'options.cs', options.cs ?? DEFAULT_CS, 1);
  for (let i = 0; i < cs.length; i++) check.positive(fn, `options.cs[${i}]`, cs[i]);
  const lambda = check.nonNegative(
    fn,
    'options.regularizeToBaselineLambda',
    options.regularizeToBaselineLambda ?? 0.2,
  );

  // Length differences, standardised by their sample standard deviation over all rows.
  const delta = new Float64Array(n);
  const preferences: (number | null)[] = [];
  for (let i = 0; i < n; i++) {
    const row = given[i] as LengthControlledRow;
    const output = string(fn, `rows[${i}].output`, row?.output);
    const baseline = string(fn, `rows[${i}].baselineOutput`, row.baselineOutput);
    delta[i] = codePointLength(baseline) - codePointLength(output);
    preferences.push(
      row.preference === null
        ? null
        : check.probability(fn, `rows[${i}].preference`, row.preference),
    );
  }
  const raw = winRate(preferences, { rounds: 0 });
  const sd = sampleStandardDeviation(delta);

  const gamed = gamedRows(fn, options.gamedBaselines);
  const features: Float64Array[] = [];
  const targets: number[] = [];
  const weights: number[] = [];
  if (gamed.length > 0) {
    for (const g of gamed) {
      features.push(
        Float64Array.of(Math.tanh(g.standardizedLengthDelta), g.instructionDifficulty, 0),
      );
      targets.push(g.preference);
      weights.push(lambda / 2);
    }
  }
  for (let i = 0; i < n; i++) {
    const p = preferences[i];
    if (p === null || p === undefined) continue;
    const z = sd > 0 ? (delta[i] as number) / sd : 0;
    features.push(Float64Array.of(Math.tanh(z), difficulty[i] as number, 1));
    targets.push(p);
    weights.push(1);
  }
  if (features.length < folds) {
    invalid(
      fn,
      'rows',
      `${features.length} judged rows cannot be split into ${folds} cross-validation folds.`,
    );
  }
  const fit = crossValidatedL1(
    features,
    Float64Array.from(targets),
    gamed.length > 0 ? Float64Array.from(weights) : undefined,
    folds,
    Array.from(cs),
  );
  const [wLength, wDifficulty, wModel] = fit.coefficients as unknown as [number, number, number];
  const predicted = Float64Array.from(
    difficulty,
    (d) => 1 / (1 + Math.exp(-(wDifficulty * d + wModel))),
  );
  const lc = winRate(Array.from(predicted), { rounds: 0 });
  return {
    ...raw,
    lcWinRate: lc.winRate,
    lcStandardError: lc.standardError,
    weights: { length: wLength, instructionDifficulty: wDifficulty, notGamedBaseline: wModel },
    c: fit.c,
    predicted,
  };
}

function difficulties(
  fn: string,
  rows: readonly LengthControlledRow[],
  given: LengthControlledOptions['instructionDifficulty'] | undefined,
): Float64Array {
  if (Array.isArray(given)) {
    check.sameLength(fn, 'rows', rows.length, 'options.instructionDifficulty', given.length);
    return Float64Array.from(check.finiteArray(fn, 'options.instructionDifficulty', given));
  }
  if (typeof given !== 'object' || given === null) {
    return invalid(
      fn,
      'options.instructionDifficulty',
      `expected one number per row or a record keyed by instruction, received ${describeValue(given)}.`,
    );
  }
  const table = given as Readonly<Record<string, number>>;
  return Float64Array.from(rows, (row, i) => {
    const instruction = string(fn, `rows[${i}].instruction`, row?.instruction);
    if (!Object.hasOwn(table, instruction)) {
      invalid(
        fn,
        'options.instructionDifficulty',
        `has no entry for rows[${i}].instruction ${describeValue(instruction)}.`,
      );
    }
    return check.finite(
      fn,
      `options.instructionDifficulty[${JSON.stringify(instruction)}]`,
      table[instruction],
    );
  });
}

function gamedRows(
  fn: string,
  given: LengthControlledOptions['gamedBaselines'],
): GamedBaselineRow[] {
  if (given === undefined) return [];
  const list = Array.isArray(given)
    ? (given as readonly GamedBaselineRow[])
    : [
        ...((given as { verbose?: readonly GamedBaselineRow[] }).verbose ?? []),
        ...((given as { concise?: readonly GamedBaselineRow[] }).concise ?? []),
      ];
  return list.map((g, i) => ({
    preference: check.probability(fn, `options.gamedBaselines[${i}].preference`, g?.preference),
    standardizedLengthDelta: check.finite(
      fn,
      `options.gamedBaselines[${i}].standardizedLengthDelta`,
      g.standardizedLengthDelta,
    ),
    instructionDifficulty: check.finite(
      fn,
      `options.gamedBaselines[${i}].instructionDifficulty`,
      g.instructionDifficulty,
    ),
  }));
}

function sampleStandardDeviation(values: Float64Array): number {
  const n = values.length;
  if (n < 2) return 0;
  let mean = 0;
  for (const v of values) mean += v;
  mean /= n;
  let ss = 0;
  for (const v of values) ss += (v - mean) ** 2;
  return Math.sqrt(ss / (n - 1));
}
