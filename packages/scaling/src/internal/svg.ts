/**
 * A small SVG writer for the package's plots: axes (linear or log10), ticks, grid, polylines
 * clipped to the plot area, markers, a legend. Produces a standalone SVG 1.1 string; no DOM.
 */

/** One axis. */
export interface Axis {
  readonly min: number;
  readonly max: number;
  readonly log: boolean;
  readonly label: string;
}

/** Plot geometry and the two axes. */
export interface Frame {
  readonly width: number;
  readonly height: number;
  readonly x: Axis;
  readonly y: Axis;
  readonly title: string;
}

const MARGIN = { left: 72, right: 180, top: 40, bottom: 56 };

/** Colour-blind-safe categorical palette (Okabe & Ito 2008), then repeats. */
const PALETTE = [
  '#0072B2',
  '#E69F00',
  '#009E73',
  '#D55E00',
  '#CC79A7',
  '#56B4E9',
  '#F0E442',
  '#000000',
];

export function colour(i: number): string {
  return PALETTE[i % PALETTE.length] as string;
}

export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/** Data → pixel mapping of a frame. */
export interface Projection {
  px(x: number): number;
  py(y: number): number;
}

export function projection(frame: Frame): Projection {
  const map = (axis: Axis, from: number, to: number) => {
    const f = axis.log ? Math.log10 : (v: number) => v;
    const lo = f(axis.min);
    const hi = f(axis.max);
    return (v: number): number => from + ((f(v) - lo) / (hi - lo)) * (to - from);
  };
  return {
    px: map(frame.x, MARGIN.left, frame.width - MARGIN.right),
    py: map(frame.y, frame.height - MARGIN.bottom, MARGIN.top),
  };
}

/** Tick positions and how to label them. */
interface Ticks {
  readonly values: number[];
  /** Label as powers of ten (log axes spanning a decade or more). */
  readonly powers: boolean;
}

/**
 * Powers of ten (with 2× and 5× over few decades) on log axes spanning a decade or more;
 * 1-2-5 steps otherwise, including log axes narrower than a decade (losses from 2 to 4).
 */
export function ticks(axis: Axis): Ticks {
  const values: number[] = [];
  if (axis.log && axis.max / axis.min >= 10) {
    const lo = Math.floor(Math.log10(axis.min));
    const hi = Math.ceil(Math.log10(axis.max));
    const mantissas = hi - lo <= 2 ? [1, 2, 5] : [1];
    for (let k = lo; k <= hi; k++) {
      for (const m of mantissas) {
        const v = m * 10 ** k;
        if (v >= axis.min * (1 - 1e-9) && v <= axis.max * (1 + 1e-9)) values.push(v);
      }
    }
    return { values, powers: true };
  }
  const raw = (axis.max - axis.min) / 6;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * magnitude >= raw) ?? 10) * magnitude;
  for (let v = Math.ceil(axis.min / step) * step; v <= axis.max + step * 1e-9; v += step) {
    values.push(Number(v.toPrecision(12)));
  }
  return { values, powers: false };
}

function tickLabel(value: number, powers: boolean): string {
  if (powers) {
    const exponent = Math.floor(Math.log10(value) + 1e-9);
    const mantissa = Math.round(value / 10 ** exponent);
    const power = `10<tspan dy="-6" font-size="9">${exponent}</tspan>`;
    return mantissa === 1 ? power : `${mantissa}×${power}`;
  }
  return String(Number(value.toPrecision(6)));
}

/** Background, grid, ticks, axis labels and title. */
export function axes(frame: Frame, p: Projection): string[] {
  const left = MARGIN.left;
  const right = frame.width - MARGIN.right;
  const top = MARGIN.top;
  const bottom = frame.height - MARGIN.bottom;
  const out = [
    `<rect x="0" y="0" width="${frame.width}" height="${frame.height}" fill="#ffffff"/>`,
    `<text x="${(left + right) / 2}" y="24" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(frame.title)}</text>`,
  ];
  const xTicks = ticks(frame.x);
  for (const v of xTicks.values) {
    const x = p.px(v).toFixed(1);
    out.push(
      `<line x1="${x}" y1="${top}" x2="${x}" y2="${bottom}" stroke="#e5e5e5"/>`,
      `<text x="${x}" y="${bottom + 18}" text-anchor="middle" font-size="11">${tickLabel(v, xTicks.powers)}</text>`,
    );
  }
  const yTicks = ticks(frame.y);
  for (const v of yTicks.values) {
    const y = p.py(v).toFixed(1);
    out.push(
      `<line x1="${left}" y1="${y}" x2="${right}" y2="${y}" stroke="#e5e5e5"/>`,
      `<text x="${left - 8}" y="${Number(y) + 4}" text-anchor="end" font-size="11">${tickLabel(v, yTicks.powers)}</text>`,
    );
  }
  out.push(
    `<rect x="${left}" y="${top}" width="${right - left}" height="${bottom - top}" fill="none" stroke="#333333"/>`,
    `<text x="${(left + right) / 2}" y="${frame.height - 14}" text-anchor="middle" font-size="13">${escapeXml(frame.x.label)}</text>`,
    `<text x="18" y="${(top + bottom) / 2}" text-anchor="middle" font-size="13" transform="rotate(-90 18 ${(top + bottom) / 2})">${escapeXml(frame.y.label)}</text>`,
    `<clipPath id="plot-area"><rect x="${left}" y="${top}" width="${right - left}" height="${bottom - top}"/></clipPath>`,
  );
  return out;
}

/** A polyline through data points, clipped to the plot area. Non-finite points break the line. */
export function line(
  p: Projection,
  points: readonly (readonly [number, number])[],
  stroke: string,
  options: { width?: number; dash?: string } = {},
): string {
  const segments: string[][] = [[]];
  for (const [x, y] of points) {
    if (Number.isFinite(x) && Number.isFinite(y) && x > 0 && y > 0) {
      segments[segments.length - 1]?.push(`${p.px(x).toFixed(2)},${p.py(y).toFixed(2)}`);
    } else if ((segments[segments.length - 1]?.length ?? 0) > 0) segments.push([]);
  }
  return segments
    .filter((s) => s.length > 1)
    .map(
      (s) =>
        `<polyline clip-path="url(#plot-area)" fill="none" stroke="${stroke}" stroke-width="${options.width ?? 1.5}"${options.dash ? ` stroke-dasharray="${options.dash}"` : ''} points="${s.join(' ')}"/>`,
    )
    .join('');
}

/** A circle marker at a data point. */
export function dot(p: Projection, x: number, y: number, fill: string, radius = 3.5): string {
  return `<circle clip-path="url(#plot-area)" cx="${p.px(x).toFixed(2)}" cy="${p.py(y).toFixed(2)}" r="${radius}" fill="${fill}" fill-opacity="0.75" stroke="#ffffff" stroke-width="0.5"/>`;
}

/** A legend at the right of the plot. */
export function legend(
  frame: Frame,
  entries: readonly { label: string; colour: string; dash?: string }[],
): string[] {
  const x = frame.width - MARGIN.right + 14;
  return entries.map((entry, i) => {
    const y = MARGIN.top + 10 + i * 18;
    return `<line x1="${x}" y1="${y}" x2="${x + 22}" y2="${y}" stroke="${entry.colour}" stroke-width="2.5"${entry.dash ? ` stroke-dasharray="${entry.dash}"` : ''}/><text x="${x + 28}" y="${y + 4}" font-size="11">${escapeXml(entry.label)}</text>`;
  });
}

/** Wraps the parts into a standalone SVG document. */
export function svgDocument(frame: Frame, parts: readonly string[]): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${frame.width}" height="${frame.height}" viewBox="0 0 ${frame.width} ${frame.height}" font-family="Helvetica, Arial, sans-serif">\n<title>${escapeXml(frame.title)}</title>\n${parts.join('\n')}\n</svg>\n`;
}

/** n values spaced evenly in log10 from lo to hi. */
export function logSpace(lo: number, hi: number, n: number): number[] {
  return Array.from(
    { length: n },
    (_, i) => 10 ** (Math.log10(lo) + ((Math.log10(hi) - Math.log10(lo)) * i) / (n - 1)),
  );
}

/** A compact label for a count: 1.2B, 350M, 3.5T. */
export function formatCount(value: number): string {
  for (const [unit, scale] of [
    ['T', 1e12],
    ['B', 1e9],
    ['M', 1e6],
    ['K', 1e3],
  ] as const) {
    if (value >= scale) return `${Number((value / scale).toPrecision(3))}${unit}`;
  }
  return String(Number(value.toPrecision(3)));
}
