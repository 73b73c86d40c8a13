/**
 * Plan a training run from a handful of small ones, in a few seconds on a CPU:
 *
 * 1. simulate 45 isoFLOP runs (5 budgets × 9 sizes, 1% noise) of a known law,
 * 2. fit the Chinchilla law to them with bootstrap intervals, and check it with isoFLOP
 *    Approach 2,
 * 3. allocate a Llama-3-sized budget (flagged as the extrapolation it is), with and without a
 *    cap on unique data,
 * 4. plan the Llama 3 405B run: time, GPU hours, energy and CO₂, and a parallel layout,
 * 5. write the two plots as SVG files.
 *
 * Run: node --conditions=@llmkit/source --import tsx examples/scaling-plan.ts [output-folder]
 * Without a folder the plots go to a new temporary folder, never into the repository.
 */
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  renameSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Random } from '@llmkit/numeric';
import {
  chinchillaBesiroglu2024,
  computeOptimal,
  dataConstrainedOptimal,
  fitScalingLaw,
  isoFlopAnalysis,
  planParallelism,
  planTraining,
  plotIsoFlops,
  plotLossVsCompute,
  predictLoss,
  type ScalingPoint,
} from '@llmkit/scaling';

const e = (x: number, digits = 2): string => x.toExponential(digits);

// 1. Small runs: 5 budgets from 1e18 to 1e20 FLOPs, 9 model sizes around each optimum.
const rng = new Random(7);
const truth = chinchillaBesiroglu2024;
const budgets = [1e18, 3e18, 1e19, 3e19, 1e20];
const runs: ScalingPoint[] = [];
for (const flops of budgets) {
  const centre = computeOptimal(truth, flops).params;
  for (let k = -4; k <= 4; k++) {
    const params = centre * 10 ** (k / 5);
    const tokens = flops / (6 * params);
    runs.push({
      params,
      tokens,
      loss: predictLoss(truth, { params, tokens }) * Math.exp(rng.normal(0, 0.01)),
    });
  }
}

// 2. Fit (Hoffmann et al.'s grid of 4,500 starts) with 200 bootstrap resamples.
const started = performance.now();
const fit = fitScalingLaw(runs, { bootstrap: 200, seed: 1 });
const seconds = (performance.now() - started) / 1000;
console.log(
  `Fitted ${fit.points} runs from ${fit.starts} starts in ${seconds.toFixed(1)} s (${fit.reason}):`,
);
for (const name of ['E', 'A', 'B', 'alpha', 'beta'] as const) {
  const interval = fit.intervals?.[name];
  console.log(
    `  ${name.padEnd(5)} ${fit[name].toPrecision(4).padStart(8)}  95% [${interval?.lower.toPrecision(4)}, ${interval?.upper.toPrecision(4)}]  truth ${truth[name]}`,
  );
}
const iso = isoFlopAnalysis(runs, { budgets });
console.log(
  `IsoFLOP (Approach 2): N_opt ∝ C^${iso.a.toFixed(3)}, D_opt ∝ C^${iso.b.toFixed(3)}; fitted law gives C^${computeOptimal(fit, 1e20).exponents.params.toFixed(3)}`,
);

// 3. Allocate 3.8e25 FLOPs: far outside the fitted budgets, and the result says so.
const big = computeOptimal(fit, 3.8e25);
console.log(
  `\nCompute-optimal at 3.8e25 FLOPs: N = ${e(big.params)}, D = ${e(big.tokens)} (${big.tokensPerParam.toFixed(1)} tokens/param), loss ${big.loss.toFixed(3)}`,
);
for (const warning of big.warnings) console.log(`  warning: ${warning}`);
const capped = dataConstrainedOptimal(fit, 3.8e25, 5e12);
console.log(
  `With only 5T unique tokens: N = ${e(capped.params)}, D = ${e(capped.tokens)} (${capped.epochs.toFixed(2)} epochs), loss ${capped.loss.toFixed(3)} vs ${capped.unconstrained.loss.toFixed(3)} unconstrained`,
);

// 4. The run itself: Llama 3 405B on 15.6T tokens.
const plan = planTraining({
  params: 405e9,
  tokens: 15.6e12,
  gpu: 'h100',
  gpus: 16000,
  tflopsPerGpu: 400,
  kgCo2PerKWh: 0.41,
  pricePerGpuHour: 2,
});
console.log(
  `\nLlama 3 405B on 15.6T tokens: ${e(plan.flops)} FLOPs, ${plan.days.toFixed(1)} days on ${plan.assumptions.gpus} × ${plan.assumptions.gpu}`,
);
console.log(
  `  ${(plan.gpuHours / 1e6).toFixed(1)}M GPU hours, ${(plan.energyKWh / 1e6).toFixed(1)} GWh, ${Math.round(plan.co2Tonnes ?? 0)} t CO₂eq, cost ${((plan.cost ?? 0) / 1e6).toFixed(1)}M at 2/GPU-hour`,
);
console.log(
  `  assumptions: MFU ${plan.assumptions.mfu.toFixed(3)} of ${plan.assumptions.peakFlopsPerGpu / 1e12} TFLOP/s, ${plan.assumptions.watts} W (${plan.assumptions.wattsSource}), PUE ${plan.assumptions.pue}`,
);
const layout = planParallelism({
  shape: {
    layers: 126,
    dModel: 16384,
    heads: 128,
    kvHeads: 8,
    ffnHidden: 53248,
    gatedMlp: true,
    vocabSize: 128256,
  },
  gpus: 16384,
  gpu: 'h100',
  sequenceLength: 8192,
  globalBatch: 2048,
  recompute: 'full',
}).best;
if (layout !== undefined) {
  console.log(
    `  layout: TP ${layout.tensorParallel} × PP ${layout.pipelineParallel} × DP ${layout.dataParallel}, ${(layout.memory.total / 1e9).toFixed(1)} GB per GPU, pipeline bubble ${(100 * layout.bubbleFraction).toFixed(0)}%`,
  );
}

// 5. Plots, written atomically (temporary file, fsync, rename) into the chosen folder.
const folder =
  process.argv[2] === undefined
    ? mkdtempSync(join(tmpdir(), 'llmkit-scaling-'))
    : resolve(process.argv[2]);
mkdirSync(folder, { recursive: true });
function writeAtomically(path: string, text: string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  const fd = openSync(temporary, 'w');
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, path);
}
writeAtomically(
  join(folder, 'loss-vs-compute.svg'),
  plotLossVsCompute({
    law: fit,
    points: runs,
    title: 'Simulated runs and the fitted Chinchilla law',
  }),
);
writeAtomically(
  join(folder, 'isoflops.svg'),
  plotIsoFlops(iso, { title: 'IsoFLOP curves of the simulated runs' }),
);
console.log(`\nPlots written to ${folder}: loss-vs-compute.svg, isoflops.svg`);
