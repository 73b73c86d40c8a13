/**
 * The range of the data a law was fitted on, kept with the fit so that predictions outside it
 * are reported as extrapolations.
 */

/** Smallest and largest value seen. @public */
export interface Interval {
  readonly min: number;
  readonly max: number;
}

/** The range of the data behind a fit. @public */
export interface FitRange {
  readonly params: Interval;
  readonly tokens: Interval;
  /** 6·N·D of the points. */
  readonly flops: Interval;
}

/** The extent of `values`. @internal */
export function intervalOf(values: Iterable<number>): Interval {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { min, max };
}

/** How far `value` lies outside `range`, as a factor ≥ 1 (1 when inside). @internal */
export function extrapolationFactor(value: number, range: Interval): number {
  if (value > range.max) return value / range.max;
  if (value < range.min) return range.min / value;
  return 1;
}
