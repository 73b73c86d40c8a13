/**
 * Loss against training compute as an SVG string: the measured runs, the fitted law's curve
 * for each of several model sizes (a model trained longer moves along its curve), and the
 * compute-optimal frontier L*(C) that envelops them (Hoffmann et al. 2022, Figure 4 style).
 */
import { checkLaw, lossAt } from './chinchillaLaw.js';
import { allocationConstants, type LawWithRange } from './computeOptimal.js';
import { ScalingError } from './errors.js';
import type { Interval } from './fitRange.js';
import { check } from './internal/check.js';
import {
  axes,
  colour,
  dot,
  type Frame,
  formatCount,
  legend,
  line,
  logSpace,
  projection,
  svgDocument,
} from './internal/svg.js';
import type { ScalingPoint } from './scalingPoint.js';

/** Input of {@link plotLossVsCompute}. @public */
export interface PlotLossVsComputeInput {
  /** The fitted law (a `fitScalingLaw` result carries its data's range). */
  readonly law: LawWithRange;
  /** Measured runs to draw as dots. */
  readonly points?: readonly ScalingPoint[];
  /** Model sizes to draw curves for. @defaultValue five sizes spanning the data */
  readonly modelSizes?: readonly number[];
  /** FLOP range of the x axis. @defaultValue the data's range, widened 3× each way */
  readonly flops?: Interval;
  /** @defaultValue 'Loss vs training compute' */
  readonly title?: string;
  /** @defaultValue 760 */
  readonly width?: number;
  /** @defaultValue 480 */
  readonly height?: number;
}

/**
 * An SVG plot of loss vs compute with the law's curves and its compute-optimal frontier.
 *
 * @example
 * ```ts
 * const svg = plotLossVsCompute({ law: fit, points });
 * await writeFile('loss-vs-compute.svg', svg);
 * ```
 * @public
 */
export function plotLossVsCompute(input: PlotLossVsComputeInput): string {
  const fn = 'plotLossVsCompute';
  const law = checkLaw(fn, input?.law);
  const points = input.points ?? [];
  points.forEach((pt, i) => {
    check.positive(fn, `points[${i}].params`, pt?.params);
    check.positive(fn, `points[${i}].tokens`, pt.tokens);
    check.positive(fn, `points[${i}].loss`, pt.loss);
  });
  const dataFlops = points.map((pt) => 6 * pt.params * pt.tokens);
  const range =
    input.flops ??
    (dataFlops.length > 0
      ? widen(Math.min(...dataFlops), Math.max(...dataFlops))
      : input.law.range
        ? widen(input.law.range.flops.min, input.law.range.flops.max)
        : undefined);
  if (range === undefined || !(range.min > 0 && range.max > range.min)) {
    throw new ScalingError({
      code: 'INVALID_ARGUMENT',
      fn,
      argument: 'flops',
      detail: 'give points, a law with a range, or flops: {min, max} with 0 < min < max.',
    });
  }
  const paramsRange =
    points.length > 0
      ? {
          min: Math.min(...points.map((q) => q.params)),
          max: Math.max(...points.map((q) => q.params)),
        }
      : input.law.range?.params;
  const sizes =
    input.modelSizes ?? (paramsRange ? logSpace(paramsRange.min, paramsRange.max, 5) : []);
  for (const [i, n] of sizes.entries()) check.positive(fn, `modelSizes[${i}]`, n);

  const { G, a, gamma, K } = allocationConstants(law);
  const grid = logSpace(range.min, range.max, 160);
  const frontier = grid.map((c) => [c, law.E + K * (c / 6) ** -gamma] as const);
  const frontierLosses = frontier.map(([, l]) => l);
  const pointLosses = points.map((q) => q.loss);
  const yMin = Math.min(...frontierLosses, ...pointLosses) * 0.97;
  const yMax = Math.max(...pointLosses, Math.max(...frontierLosses) * 1.15) * 1.03;
  const frame: Frame = {
    width: check.integer(fn, 'width', input.width ?? 760, { min: 200 }),
    height: check.integer(fn, 'height', input.height ?? 480, { min: 150 }),
    title: input.title ?? 'Loss vs training compute',
    x: { min: range.min, max: range.max, log: true, label: 'Training compute C = 6ND (FLOPs)' },
    y: { min: yMin, max: yMax, log: true, label: 'Loss (nats per token)' },
  };
  const p = projection(frame);
  const parts = axes(frame, p);
  for (const pt of points) parts.push(dot(p, 6 * pt.params * pt.tokens, pt.loss, '#7f7f7f', 3));
  const entries: { label: string; colour: string; dash?: string }[] = [];
  sizes.forEach((n, i) => {
    parts.push(
      line(
        p,
        grid.map((c) => [c, lossAt(law, n, c / (6 * n))] as const),
        colour(i),
      ),
    );
    entries.push({ label: `N = ${formatCount(n)}`, colour: colour(i) });
  });
  parts.push(line(p, frontier, '#000000', { width: 2.5, dash: '7 4' }));
  entries.push({ label: 'compute-optimal', colour: '#000000', dash: '7 4' });
  entries.push({ label: `N_opt ∝ C^${a.toFixed(3)}`, colour: '#ffffff' });
  entries.push({ label: `G = ${G.toPrecision(3)}`, colour: '#ffffff' });
  parts.push(...legend(frame, entries));
  return svgDocument(frame, parts);
}

function widen(min: number, max: number): Interval {
  return { min: min / 3, max: max * 3 };
}
