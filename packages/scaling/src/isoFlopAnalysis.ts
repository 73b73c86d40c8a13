/**
 * IsoFLOP analysis, Hoffmann et al.'s Approach 2 (2022, §3.2): runs that share a FLOP budget
 * are grouped; within each group a parabola is fitted to the loss against log N and its vertex
 * is that budget's optimal model size; across budgets, log N_opt and log D_opt are fitted
 * linearly in log C, giving N_opt ∝ C^a and D_opt ∝ C^b (they report a = 0.49, b = 0.51).
 */
import { fitPolynomial } from '@llmkit/numeric';
import { ScalingError } from './errors.js';
import { check } from './internal/check.js';
import { type ScalingPoint, toLogPoints } from './scalingPoint.js';

/** Options of {@link isoFlopAnalysis}. @public */
export interface IsoFlopOptions {
  /**
   * Nominal budgets; each point joins the one nearest to its 6·N·D in log space when within
   * `tolerance`. Without budgets, points are grouped by gaps in 6·N·D larger than `tolerance`.
   */
  readonly budgets?: readonly number[];
  /** Relative distance in FLOPs that still counts as the same budget. @defaultValue 0.15 */
  readonly tolerance?: number;
  /** Smallest group that gets a parabola (distinct model sizes). @defaultValue 3 */
  readonly minPoints?: number;
}

/** One budget's slice. @public */
export interface IsoFlopSlice {
  /** The nominal budget, or the geometric mean of the group's 6·N·D without `budgets`. */
  readonly flops: number;
  readonly points: readonly ScalingPoint[];
  /** c₀ + c₁·ln N + c₂·(ln N)² fitted to the losses; absent when the slice has no usable minimum. */
  readonly parabola?: readonly [number, number, number];
  /** The vertex: the budget's optimal N, D = C/(6N), and the loss there. */
  readonly optimalParams?: number;
  readonly optimalTokens?: number;
  readonly minLoss?: number;
  /** Whether the vertex lies within the sizes tried (outside, it is an extrapolation). */
  readonly vertexInside?: boolean;
  /** Why a slice has no optimum (too few sizes, or the parabola opens downwards). */
  readonly skipped?: string;
}

/** The outcome of {@link isoFlopAnalysis}. @public */
export interface IsoFlopAnalysis {
  readonly slices: readonly IsoFlopSlice[];
  /** N_opt = paramsCoefficient · C^a, fitted over the slices with an optimum. */
  readonly a: number;
  readonly paramsCoefficient: number;
  /** D_opt = tokensCoefficient · C^b, with b = 1 − a since D = C/(6N). */
  readonly b: number;
  readonly tokensCoefficient: number;
  /** Points that joined no budget. */
  readonly unassigned: number;
}

/**
 * Approach 2 of Hoffmann et al. (2022) on a set of isoFLOP runs.
 *
 * @example
 * ```ts
 * const { a, b, slices } = isoFlopAnalysis(runs, { budgets: [6e18, 1e19, 3e19, 6e19, 1e20] });
 * ```
 * @throws ScalingError on invalid points or when fewer than two budgets have an optimum.
 * @public
 */
export function isoFlopAnalysis(
  points: readonly ScalingPoint[],
  options: IsoFlopOptions = {},
): IsoFlopAnalysis {
  const fn = 'isoFlopAnalysis';
  const data = toLogPoints(fn, points, 6, 'parabolas in at least two budgets');
  const tolerance = check.positive(fn, 'options.tolerance', options.tolerance ?? 0.15);
  const minPoints = check.integer(fn, 'options.minPoints', options.minPoints ?? 3, { min: 3 });
  const logC = Float64Array.from(data.logN, (ln, i) => Math.log(6) + ln + (data.logD[i] as number));
  const width = Math.log1p(tolerance);
  const groups: { flops: number; members: number[] }[] = [];
  let unassigned = 0;
  if (options.budgets !== undefined) {
    const budgets = Array.from(
      check.finiteArray(fn, 'options.budgets', options.budgets, 2),
      (c, i) => check.positive(fn, `options.budgets[${i}]`, c),
    );
    for (const flops of budgets) groups.push({ flops, members: [] });
    logC.forEach((lc, i) => {
      let best = -1;
      let distance = Infinity;
      budgets.forEach((c, k) => {
        const d = Math.abs(lc - Math.log(c));
        if (d < distance) [best, distance] = [k, d];
      });
      if (distance <= width) groups[best]?.members.push(i);
      else unassigned++;
    });
  } else {
    const order = Array.from(logC.keys()).sort((i, j) => (logC[i] as number) - (logC[j] as number));
    let current: number[] = [];
    const close = (): void => {
      const mean = current.reduce((s, i) => s + (logC[i] as number), 0) / current.length;
      groups.push({ flops: Math.exp(mean), members: current });
    };
    for (const i of order) {
      const last = current[current.length - 1];
      if (last !== undefined && (logC[i] as number) - (logC[last] as number) > width) {
        close();
        current = [];
      }
      current.push(i);
    }
    close();
  }

  const slices = groups.map(({ flops, members }) => sliceOf(flops, members));
  const fitted = slices.filter((s) => s.optimalParams !== undefined);
  if (fitted.length < 2) {
    throw new ScalingError({
      code: 'INVALID_ARGUMENT',
      fn,
      argument: 'points',
      detail: `only ${fitted.length} budget(s) have a minimum of loss over model size; Approach 2 needs at least two. Add model sizes on both sides of each budget's optimum, or check options.budgets.`,
    });
  }
  const line = fitPolynomial(
    fitted.map((s) => Math.log(s.flops)),
    fitted.map((s) => Math.log(s.optimalParams as number)),
    1,
  ).coefficients;
  const a = line[1] as number;
  const paramsCoefficient = Math.exp(line[0] as number);
  return {
    slices,
    a,
    paramsCoefficient,
    b: 1 - a,
    tokensCoefficient: 1 / (6 * paramsCoefficient),
    unassigned,
  };

  function sliceOf(flops: number, members: number[]): IsoFlopSlice {
    const slicePoints = members.map((i) => points[i] as ScalingPoint);
    const logN = members.map((i) => data.logN[i] as number);
    const distinct = new Set(logN).size;
    if (distinct < minPoints) {
      return {
        flops,
        points: slicePoints,
        skipped: `${distinct} distinct model size(s); at least ${minPoints} are needed for a parabola.`,
      };
    }
    const losses = slicePoints.map((p) => p.loss);
    const [c0, c1, c2] = fitPolynomial(logN, losses, 2).coefficients as unknown as [
      number,
      number,
      number,
    ];
    if (!(c2 > 0)) {
      return {
        flops,
        points: slicePoints,
        parabola: [c0, c1, c2],
        skipped: 'the parabola opens downwards: the loss has no minimum over these sizes.',
      };
    }
    const vertex = -c1 / (2 * c2);
    const optimalParams = Math.exp(vertex);
    return {
      flops,
      points: slicePoints,
      parabola: [c0, c1, c2],
      optimalParams,
      optimalTokens: flops / (6 * optimalParams),
      minLoss: c0 - (c1 * c1) / (4 * c2),
      vertexInside: vertex >= Math.min(...logN) && vertex <= Math.max(...logN),
    };
  }
}
