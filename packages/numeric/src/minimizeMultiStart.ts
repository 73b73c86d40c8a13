/**
 * Global-ish minimisation of non-convex objectives by running L-BFGS from many starting
 * points and keeping the best, as Hoffmann et al. (2022) and Besiroglu et al. (2024) fit the
 * Chinchilla law from a grid of initialisations.
 */
import { describeValue } from './argumentChecks.js';
import { NumericError } from './errors.js';
import { check } from './internal/check.js';
import { type LbfgsOptions, type LbfgsResult, minimizeLbfgs } from './lbfgs.js';
import type { Objective } from './objective.js';

/** Progress of a multi-start run, passed to `onStart`. @public */
export interface MultiStartProgress {
  /** Starts finished so far. */
  readonly completed: number;
  readonly total: number;
  /** The best value found so far (Infinity until a start succeeds). */
  readonly bestValue: number;
}

/** Options of {@link minimizeMultiStart}: those of L-BFGS for every start, plus progress. @public */
export interface MultiStartOptions extends LbfgsOptions {
  /** Called after each start. */
  readonly onStart?: (progress: MultiStartProgress) => void;
}

/** Summary of one start. @public */
export interface StartOutcome {
  readonly start: Float64Array;
  /** The final value, or NaN when the objective was not finite at the start. */
  readonly value: number;
  readonly converged: boolean;
  readonly reason: LbfgsResult['reason'] | 'nonFiniteStart';
}

/** The outcome of {@link minimizeMultiStart}. @public */
export interface MultiStartResult {
  /** The L-BFGS result with the lowest value (the earliest start wins ties). */
  readonly best: LbfgsResult;
  /** Index of the winning start in the order given. */
  readonly bestStart: number;
  /** One outcome per start, in the order given. */
  readonly outcomes: readonly StartOutcome[];
}

/**
 * Runs {@link minimizeLbfgs} from each start and returns the best result. Starts where the
 * objective is not finite are recorded and skipped.
 *
 * @example
 * ```ts
 * const starts = gridPoints([[-2, 0, 2], [-2, 0, 2]]);
 * const { best } = minimizeMultiStart(objective, starts);
 * ```
 * @throws NumericError `EMPTY_INPUT` without starts, `NON_FINITE` when no start is finite.
 * @public
 */
export function minimizeMultiStart(
  objective: Objective,
  starts: Iterable<ArrayLike<number>>,
  options: MultiStartOptions = {},
): MultiStartResult {
  const fn = 'minimizeMultiStart';
  if (starts === null || typeof (starts as Iterable<unknown>)?.[Symbol.iterator] !== 'function') {
    throw new NumericError({
      code: 'INVALID_ARGUMENT',
      fn,
      argument: 'starts',
      detail: `expected an iterable of starting points, received ${describeValue(starts)}.`,
    });
  }
  const points = Array.from(starts, (p, i) =>
    Float64Array.from(check.finiteArray(fn, `starts[${i}]`, p, 1)),
  );
  if (points.length === 0) {
    throw new NumericError({
      code: 'EMPTY_INPUT',
      fn,
      argument: 'starts',
      detail: 'expected at least one starting point; see gridPoints() to build a grid.',
    });
  }
  const { onStart, ...lbfgsOptions } = options;
  const outcomes: StartOutcome[] = [];
  let best: LbfgsResult | undefined;
  let bestStart = -1;
  for (const [i, start] of points.entries()) {
    if (options.signal?.aborted) break;
    let result: LbfgsResult | undefined;
    try {
      result = minimizeLbfgs(objective, start, lbfgsOptions);
    } catch (error) {
      if (!(error instanceof NumericError && error.code === 'NON_FINITE')) throw error;
    }
    outcomes.push(
      result === undefined
        ? { start, value: Number.NaN, converged: false, reason: 'nonFiniteStart' }
        : { start, value: result.value, converged: result.converged, reason: result.reason },
    );
    if (result !== undefined && (best === undefined || result.value < best.value)) {
      best = result;
      bestStart = i;
    }
    onStart?.({ completed: i + 1, total: points.length, bestValue: best?.value ?? Infinity });
  }
  if (best === undefined) {
    throw new NumericError({
      code: 'NON_FINITE',
      fn,
      argument: 'starts',
      detail: `the objective was not finite at any of the ${outcomes.length} starts tried. Move the grid into the function's domain.`,
    });
  }
  return { best, bestStart, outcomes };
}

/**
 * The Cartesian product of per-coordinate values: `gridPoints([[0, 1], [5, 6]])` gives
 * (0,5), (0,6), (1,5), (1,6) — the last coordinate varies fastest.
 * @public
 */
export function gridPoints(axes: readonly ArrayLike<number>[]): Float64Array[] {
  if (!Array.isArray(axes) || axes.length === 0) {
    throw new NumericError({
      code: 'EMPTY_INPUT',
      fn: 'gridPoints',
      argument: 'axes',
      detail: 'expected a non-empty array of per-coordinate value lists.',
    });
  }
  const lists = axes.map((axis, i) => check.finiteArray('gridPoints', `axes[${i}]`, axis, 1));
  let points: number[][] = [[]];
  for (const list of lists) {
    const next: number[][] = [];
    for (const prefix of points) {
      for (let j = 0; j < list.length; j++) next.push([...prefix, list[j] as number]);
    }
    points = next;
  }
  return points.map((p) => Float64Array.from(p));
}
