import { describe, expect, it } from 'vitest';
import { chinchillaBesiroglu2024, lossAt } from './chinchillaLaw.js';
import { isoFlopAnalysis } from './isoFlopAnalysis.js';
import { plotIsoFlops } from './plotIsoFlops.js';
import { plotLossVsCompute } from './plotLossVsCompute.js';
import type { ScalingPoint } from './scalingPoint.js';

/** Checks that every tag is closed in order (no DOM in Node: a stack over the tags). */
function expectWellFormed(svg: string): void {
  const stack: string[] = [];
  for (const match of svg.matchAll(/<(\/?)([a-zA-Z]+)[^>]*?(\/?)>/g)) {
    const [, closing, name, selfClosing] = match;
    if (selfClosing) continue;
    if (closing) expect(stack.pop()).toBe(name);
    else stack.push(name as string);
  }
  expect(stack).toEqual([]);
  expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
  expect(svg).not.toMatch(/NaN|Infinity|undefined/);
}

const law = chinchillaBesiroglu2024;
const points: ScalingPoint[] = [];
for (const flops of [1e19, 1e20, 1e21]) {
  for (const params of [5e7, 1e8, 2e8, 4e8, 8e8, 1.6e9]) {
    const tokens = flops / (6 * params);
    points.push({ params, tokens, loss: lossAt(law, params, tokens) });
  }
}

describe('plotLossVsCompute', () => {
  it('draws the runs, one curve per model size and the compute-optimal frontier', () => {
    const svg = plotLossVsCompute({
      law,
      points,
      modelSizes: [1e8, 1e9],
      title: 'Fit <Epoch> & "Hoffmann"',
    });
    expectWellFormed(svg);
    expect(svg.match(/<circle /g)).toHaveLength(points.length);
    expect(svg).toContain('N = 100M');
    expect(svg).toContain('N = 1B');
    expect(svg).toContain('compute-optimal');
    expect(svg).toContain('Fit &lt;Epoch&gt; &amp; &quot;Hoffmann&quot;');
    expect(svg).toContain('stroke-dasharray="7 4"');
  });

  it('needs a FLOP range from somewhere', () => {
    expect(() => plotLossVsCompute({ law })).toThrow(/plotLossVsCompute\(flops\)/);
    expectWellFormed(
      plotLossVsCompute({ law, flops: { min: 1e18, max: 1e24 }, modelSizes: [1e9] }),
    );
  });
});

describe('plotIsoFlops', () => {
  it('draws each budget’s points, parabola and vertex', () => {
    const analysis = isoFlopAnalysis(points);
    const svg = plotIsoFlops(analysis);
    expectWellFormed(svg);
    expect(svg.match(/<circle /g)).toHaveLength(points.length);
    expect(svg.match(/<path /g)).toHaveLength(3);
    expect(svg).toContain('C = 1.0e+20');
    expect(() => plotIsoFlops({} as never)).toThrow(/plotIsoFlops\(analysis\)/);
  });
});
