/**
 * The isoFLOP family as an SVG string: for each budget, loss against model size with the
 * fitted parabola in log N and its vertex, the budget's optimal size (Hoffmann et al. 2022,
 * Figure 3 left).
 */
import { ScalingError } from './errors.js';
import { check } from './internal/check.js';
import {
  axes,
  colour,
  dot,
  type Frame,
  legend,
  line,
  logSpace,
  projection,
  svgDocument,
} from './internal/svg.js';
import type { IsoFlopAnalysis, IsoFlopSlice } from './isoFlopAnalysis.js';

/** Options of {@link plotIsoFlops}. @public */
export interface PlotIsoFlopsOptions {
  /** @defaultValue 'IsoFLOP curves' */
  readonly title?: string;
  /** @defaultValue 760 */
  readonly width?: number;
  /** @defaultValue 480 */
  readonly height?: number;
}

/**
 * An SVG plot of an {@link IsoFlopAnalysis}: points, parabolas and their minima per budget.
 * @public
 */
export function plotIsoFlops(analysis: IsoFlopAnalysis, options: PlotIsoFlopsOptions = {}): string {
  const fn = 'plotIsoFlops';
  if (!Array.isArray(analysis?.slices)) {
    throw new ScalingError({
      code: 'INVALID_ARGUMENT',
      fn,
      argument: 'analysis',
      detail: 'expected the result of isoFlopAnalysis().',
    });
  }
  const slices: readonly IsoFlopSlice[] = analysis.slices;
  if (slices.every((s) => s.points.length === 0)) {
    throw new ScalingError({
      code: 'INVALID_ARGUMENT',
      fn,
      argument: 'analysis',
      detail: 'the analysis has no points to draw.',
    });
  }
  const all = slices.flatMap((s) => s.points);
  const nMin = Math.min(...all.map((q) => q.params)) / 1.5;
  const nMax = Math.max(...all.map((q) => q.params)) * 1.5;
  const losses = all.map((q) => q.loss);
  const lMin = Math.min(...losses);
  const lMax = Math.max(...losses);
  const pad = (lMax - lMin) * 0.06 || 0.05;
  const frame: Frame = {
    width: check.integer(fn, 'options.width', options.width ?? 760, { min: 200 }),
    height: check.integer(fn, 'options.height', options.height ?? 480, { min: 150 }),
    title: options.title ?? 'IsoFLOP curves',
    x: { min: nMin, max: nMax, log: true, label: 'Parameters N' },
    y: { min: lMin - pad, max: lMax + pad, log: false, label: 'Loss (nats per token)' },
  };
  const p = projection(frame);
  const parts = axes(frame, p);
  const entries: { label: string; colour: string }[] = [];
  slices.forEach((slice, i) => {
    const c = colour(i);
    for (const q of slice.points) parts.push(dot(p, q.params, q.loss, c));
    if (slice.parabola !== undefined && slice.points.length > 0) {
      const [c0, c1, c2] = slice.parabola;
      const sizes = slice.points.map((q) => q.params);
      const curve = logSpace(Math.min(...sizes) / 1.3, Math.max(...sizes) * 1.3, 80).map((n) => {
        const x = Math.log(n);
        return [n, c0 + c1 * x + c2 * x * x] as const;
      });
      parts.push(line(p, curve, c));
    }
    if (slice.optimalParams !== undefined && slice.minLoss !== undefined) {
      const x = p.px(slice.optimalParams).toFixed(2);
      const y = p.py(slice.minLoss).toFixed(2);
      parts.push(
        `<path clip-path="url(#plot-area)" d="M${x} ${Number(y) - 6}L${Number(x) + 6} ${y}L${x} ${Number(y) + 6}L${Number(x) - 6} ${y}Z" fill="${c}" stroke="#000000" stroke-width="0.8"/>`,
      );
    }
    entries.push({ label: `C = ${slice.flops.toExponential(1)}`, colour: c });
  });
  entries.push({ label: `N_opt ∝ C^${analysis.a.toFixed(3)}`, colour: '#ffffff' });
  parts.push(...legend(frame, entries));
  return svgDocument(frame, parts);
}
