/**
 * Benchmark of the Chinchilla fit on Epoch AI's 240 points: the 4,500-start grid of Hoffmann et
 * al. and 1,000 bootstrap resamples, against the same fit in scipy (no JavaScript library fits
 * scaling laws), run by bench/scipy_fit.py in the same process run when python3 with numpy and
 * scipy is available. Runs alternate (llmkit, scipy, llmkit, …); medians and ratios are printed
 * as a markdown table.
 *
 * llmkit is measured as a consumer runs it: the package is bundled with esbuild first (test
 * runners and TypeScript loaders add a lookup to every cross-module call in the hot loop).
 *
 * Run: npm run bench -w @llmkit/scaling   (BENCH_REPEATS=3 by default)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { epochCsv, loadEpochFitPoints } from '../test/epochData.js';

type Scaling = typeof import('../src/index.js');

const repeats = Number(process.env.BENCH_REPEATS ?? 3);
const rounds = 1000;
const points = loadEpochFitPoints();

const folder = mkdtempSync(join(tmpdir(), 'llmkit-scaling-bench-'));
const bundle = join(folder, 'scaling.mjs');
await build({
  entryPoints: [new URL('../src/index.ts', import.meta.url).pathname],
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  conditions: ['@llmkit/source'],
  outfile: bundle,
  logLevel: 'silent',
});
const scaling: Scaling = await import(pathToFileURL(bundle).href);
rmSync(folder, { recursive: true, force: true });

function hasScipy(): boolean {
  try {
    execFileSync('python3', ['-c', 'import numpy, scipy'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Wall-clock and CPU seconds of each task, one entry per repeat. */
interface Timings {
  readonly wall: number[];
  readonly cpu: number[];
}
const timings = (): Timings => ({ wall: [], cpu: [] });
const llmkit = { grid: timings(), bootstrap: timings(), fitted: timings() };
const scipy = { grid: timings(), bootstrap: timings() };

/** Runs `task`, recording its wall-clock and CPU (user + system) seconds. */
function timed<T>(into: Timings, task: () => T): T {
  const wall = performance.now();
  const cpu = process.cpuUsage();
  const result = task();
  const used = process.cpuUsage(cpu);
  into.wall.push((performance.now() - wall) / 1000);
  into.cpu.push((used.user + used.system) / 1e6);
  return result;
}
const withScipy = hasScipy();
let lastFit: ReturnType<Scaling['fitScalingLaw']> | undefined;
let lastScipy: { fit: Record<string, number>; versions: Record<string, string> } | undefined;
for (let r = 0; r < repeats; r++) {
  const fit = timed(llmkit.grid, () => scaling.fitScalingLaw(points));
  timed(llmkit.bootstrap, () =>
    scaling.fitScalingLaw(points, { start: fit, bootstrap: rounds, seed: r }),
  );
  timed(llmkit.fitted, () =>
    scaling.fitScalingLaw(points, { start: scaling.chinchillaHoffmann2022, scale: 'fitted' }),
  );
  lastFit = fit;
  console.error(`repeat ${r + 1}/${repeats}: llmkit grid ${llmkit.grid.wall.at(-1)?.toFixed(2)} s`);
  if (withScipy) {
    const out = JSON.parse(
      execFileSync(
        'python3',
        [new URL('scipy_fit.py', import.meta.url).pathname, epochCsv.pathname, String(rounds)],
        {
          encoding: 'utf8',
          maxBuffer: 1 << 20,
        },
      ),
    );
    scipy.grid.wall.push(out.gridSeconds);
    scipy.grid.cpu.push(out.gridCpuSeconds);
    scipy.bootstrap.wall.push(out.bootstrapSeconds);
    scipy.bootstrap.cpu.push(out.bootstrapCpuSeconds);
    lastScipy = out;
    console.error(`repeat ${r + 1}/${repeats}: scipy grid ${out.gridSeconds.toFixed(2)} s`);
  }
}

const cell = (t: Timings): string =>
  `${median(t.wall).toFixed(2)} s (CPU ${median(t.cpu).toFixed(2)} s)`;
const row = (task: string, ours: Timings, theirs: Timings | undefined): string => {
  if (theirs === undefined || theirs.wall.length === 0)
    return `| ${task} | ${cell(ours)} | — | — |`;
  const ratio = median(theirs.cpu) / median(ours.cpu);
  return `| ${task} | ${cell(ours)} | ${cell(theirs)} | ${ratio.toFixed(1)}× |`;
};
console.log(
  `\nChinchilla fit on ${points.length} points, ${repeats} alternating repeats, medians of wall-clock and CPU time (Node ${process.version}${lastScipy ? `, numpy ${lastScipy.versions.numpy}, scipy ${lastScipy.versions.scipy}` : ', scipy not available'}):\n`,
);
console.log('| task | llmkit | scipy (BFGS, analytic gradient) | llmkit speed-up (CPU) |');
console.log('| --- | --- | --- | --- |');
console.log(
  row(
    `grid fit, ${lastFit?.starts} starts (${lastFit?.evaluations} evaluations)`,
    llmkit.grid,
    scipy.grid,
  ),
);
console.log(row(`${rounds} bootstrap resamples (warm start)`, llmkit.bootstrap, scipy.bootstrap));
console.log(row('fitted-scale estimate from Hoffmann et al.’s values', llmkit.fitted, undefined));
if (lastFit && lastScipy) {
  const gap = Math.max(
    ...(['E', 'A', 'B', 'alpha', 'beta'] as const).map((k) =>
      Math.abs(lastFit[k] / (lastScipy?.fit[k] as number) - 1),
    ),
  );
  console.log(
    `\nLargest relative difference between the two fits' parameters: ${gap.toExponential(1)}.`,
  );
}
