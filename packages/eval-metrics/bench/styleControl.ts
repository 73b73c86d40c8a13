/**
 * Style-control benchmark: 1 million synthetic battles among 100 models with a planted style
 * effect (longer, markdown-heavier answers win more often), fitted by `styleControlledRatings`
 * and by FastChat's numpy/scipy `fit_contextual_bt` (restated in `fastchat_style.py`, same data
 * through binary files) when `python3` with numpy and scipy is available. Times are CPU seconds
 * of each process (`process.cpuUsage`, `time.process_time`; the VM is shared, so wall time
 * measures the neighbours), medians over `STYLE_REPS` repetitions that alternate llmkit and
 * Python. Also measures how long the event loop is held: a `setImmediate` probe records the
 * longest gap between its turns while `BattleCounts.fromAsync` and the style fit run (V8
 * garbage-collection pauses included).
 *
 *   npm run bench -w @llmkit/eval-metrics
 *   node --conditions=@llmkit/source --import tsx bench/styleControl.ts   (in the package folder)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import {
  type Battle,
  BattleCounts,
  bradleyTerry,
  FASTCHAT_STYLE_PENALTY,
  type StyleFeatures,
  styleControlledRatings,
  styleFeatures,
} from '@llmkit/eval-metrics';
import { Random } from '@llmkit/numeric';

const MODELS = 100;
const BATTLES = 1_000_000;
const REPS = Number(process.env.STYLE_REPS ?? 3);
const ROUNDS = Number(process.env.STYLE_ROUNDS ?? 5);
const PY_ROUNDS = Number(process.env.STYLE_PY_ROUNDS ?? 1);
const PLANTED = { tokens: 0.3, headers: 0.05, lists: 0.08, bold: 0.04 };
const KEYS = ['tokens', 'headers', 'lists', 'bold'] as const;

// Synthetic log: strengths ~N(0, 0.8²) nats; each model has a length and a markdown habit, each
// answer varies around them; outcomes from Bradley–Terry plus the planted style effect on
// z-scored features; ties 0.2·min(p, 1 − p) so that E[outcome] = p.
const rng = new Random(2024);
const names = Array.from({ length: MODELS }, (_, i) => `model-${String(i).padStart(3, '0')}`);
const strength = names.map(() => rng.normal(0, 0.8));
const length = names.map(() => Math.exp(5.5 + rng.normal(0, 0.5)));
const markdown = names.map(() => Math.exp(rng.normal(-1, 0.8)));
const answer = (m: number) => {
  const tokens = Math.round((length[m] as number) * Math.exp(rng.normal(0, 0.6)));
  const habit = (markdown[m] as number) * Math.exp(rng.normal(0, 0.8)) * tokens;
  const count = (per: number) => Math.floor((habit / per) * rng.uniform() * 2);
  return { tokens, headers: count(300), lists: count(60), bold: count(100) };
};
const sides = new Int32Array(2 * BATTLES);
const features: StyleFeatures[] = new Array(BATTLES);
for (let n = 0; n < BATTLES; n++) {
  const a = rng.int(MODELS);
  let b = rng.int(MODELS - 1);
  if (b >= a) b++;
  sides[2 * n] = a;
  sides[2 * n + 1] = b;
  features[n] = styleFeatures(answer(a), answer(b));
}
const mean = { tokens: 0, headers: 0, lists: 0, bold: 0 };
const sd = { tokens: 0, headers: 0, lists: 0, bold: 0 };
for (const key of KEYS) {
  for (const f of features) mean[key] += f[key] / BATTLES;
  for (const f of features) sd[key] += (f[key] - mean[key]) ** 2 / BATTLES;
  sd[key] = Math.sqrt(sd[key]);
}
const battles: Battle[] = new Array(BATTLES);
const schedule = new Int32Array(3 * BATTLES);
const rawFeatures = new Float64Array(4 * BATTLES);
for (let n = 0; n < BATTLES; n++) {
  const a = sides[2 * n] as number;
  const b = sides[2 * n + 1] as number;
  const f = features[n] as StyleFeatures;
  let eta = (strength[a] as number) - (strength[b] as number);
  for (const key of KEYS) eta += (PLANTED[key] * (f[key] - mean[key])) / sd[key];
  const p = 1 / (1 + Math.exp(-eta));
  const t = 0.2 * Math.min(p, 1 - p);
  const winner =
    rng.uniform() < t ? 'tie' : rng.uniform() < (p - t / 2) / (1 - t) ? 'model_a' : 'model_b';
  battles[n] = { model_a: names[a] as string, model_b: names[b] as string, winner };
  schedule.set([a, b, winner === 'model_a' ? 2 : winner === 'tie' ? 1 : 0], 3 * n);
  rawFeatures.set(
    KEYS.map((key) => f[key]),
    4 * n,
  );
}

// The event-loop probe: the longest gap between two turns while `work` runs, and the longest
// garbage-collection pause V8 reports in that time (a full collection of this benchmark's heap of
// 2 million battle and feature objects takes 100–200 ms whatever the code does). The probe spins,
// so these runs are not the ones timed for CPU.
let longestGc = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) longestGc = Math.max(longestGc, entry.duration);
}).observe({ entryTypes: ['gc'] });
async function held<T>(
  work: () => Promise<T>,
): Promise<{ result: T; seconds: number; longestMs: number; gcMs: number }> {
  let last = performance.now();
  let longest = 0;
  let running = true;
  longestGc = 0;
  const probe = () => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
    if (running) setImmediate(probe);
  };
  setImmediate(probe);
  const start = performance.now();
  const result = await work();
  const seconds = (performance.now() - start) / 1000;
  running = false;
  await new Promise((resolve) => setImmediate(resolve));
  return { result, seconds, longestMs: longest, gcMs: longestGc };
}
const cpuSeconds = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};
async function cpuTimed<T>(work: () => Promise<T>): Promise<{ result: T; seconds: number }> {
  const start = cpuSeconds();
  const result = await work();
  return { result, seconds: cpuSeconds() - start };
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

interface PythonRun {
  fitSeconds: number;
  iterations: number;
  roundSeconds: number[];
  ratings: number[];
  coefficients: number[];
  gradientNorm: number;
}
const dir = mkdtempSync(join(tmpdir(), 'style-bench-'));
writeFileSync(join(dir, 'battles.bin'), schedule);
writeFileSync(join(dir, 'features.bin'), rawFeatures);
let pythonMissing: string | undefined;
function runPython(): PythonRun | undefined {
  if (pythonMissing !== undefined) return undefined;
  try {
    const script = new URL('./fastchat_style.py', import.meta.url).pathname;
    const args = [join(dir, 'battles.bin'), join(dir, 'features.bin'), String(MODELS)];
    return JSON.parse(
      execFileSync('python3', [script, ...args, String(PY_ROUNDS)], {
        encoding: 'utf8',
        maxBuffer: 1 << 26,
      }),
    ) as PythonRun;
  } catch (error) {
    pythonMissing = (error as Error).message.split('\n')[0];
    return undefined;
  }
}

const ours = { mle: [] as number[], penalised: [] as number[], round: [] as number[] };
const theirs = { fit: [] as number[], round: [] as number[] };
let mle = await styleControlledRatings(battles.slice(0, 1000), features.slice(0, 1000));
let penalised = mle;
let worstBootstrap = 0;
let python: PythonRun | undefined;
for (let rep = 0; rep < REPS; rep++) {
  const fit = await cpuTimed(() => styleControlledRatings(battles, features));
  mle = fit.result;
  ours.mle.push(fit.seconds);
  const pen = await cpuTimed(() =>
    styleControlledRatings(battles, features, FASTCHAT_STYLE_PENALTY),
  );
  penalised = pen.result;
  ours.penalised.push(pen.seconds);
  // The same objective with ROUNDS resamples: the rounds' share is the difference.
  const boot = await cpuTimed(() =>
    styleControlledRatings(battles, features, {
      ...FASTCHAT_STYLE_PENALTY,
      rounds: ROUNDS,
      seed: rep + 1,
    }),
  );
  worstBootstrap = Math.max(worstBootstrap, boot.result.worstGradientNorm);
  ours.round.push((boot.seconds - pen.seconds) / ROUNDS);
  const run = runPython();
  if (run !== undefined) {
    python = run;
    theirs.fit.push(run.fitSeconds);
    theirs.round.push(...run.roundSeconds);
  }
}
rmSync(dir, { recursive: true, force: true });

const syncAggregate: number[] = [];
const asyncTable: Awaited<ReturnType<typeof held>>[] = [];
const fitHeld: Awaited<ReturnType<typeof held>>[] = [];
for (let rep = 0; rep < REPS; rep++) {
  const t = performance.now();
  BattleCounts.from(battles);
  syncAggregate.push((performance.now() - t) / 1000);
  asyncTable.push(await held(() => BattleCounts.fromAsync(battles)));
  fitHeld.push(await held(() => styleControlledRatings(battles, features)));
}
const bootHeld = await held(() =>
  styleControlledRatings(battles, features, { rounds: ROUNDS, seed: 1 }),
);
const plain = bradleyTerry(BattleCounts.from(battles));

const truth = Object.fromEntries(
  names.map((name, i) => [
    name,
    1000 +
      (400 / Math.LN10) * ((strength[i] as number) - strength.reduce((x, y) => x + y, 0) / MODELS),
  ]),
);
const worstError = (ratings: Record<string, number>) =>
  Math.max(...names.map((name) => Math.abs((ratings[name] as number) - (truth[name] as number))));

console.log(
  `## Style control: ${BATTLES.toLocaleString('en')} battles, ${MODELS} models, 4 style features\n`,
);
console.log(
  `| step (CPU seconds) | llmkit (median of ${REPS}) | FastChat-style numpy/scipy (median of ${theirs.fit.length}) | ratio |`,
);
console.log('| --- | --- | --- | --- |');
const row = (step: string, mine: number, other: number | undefined) =>
  console.log(
    `| ${step} | ${mine.toFixed(3)} s | ${other === undefined ? '—' : `${other.toFixed(3)} s`} | ${
      other === undefined ? '—' : `${(other / mine).toFixed(1)}×`
    } |`,
  );
const theirMedian = (xs: number[]) => (xs.length === 0 ? undefined : median(xs));
row(
  'style-control fit, FastChat objective (reg 0.5); llmkit from battle objects, Python from int arrays',
  median(ours.penalised),
  theirMedian(theirs.fit),
);
row('style-control fit, maximum likelihood (the default)', median(ours.mle), undefined);
row(
  `bootstrap, per round (${ROUNDS} × ${REPS} rounds here, ${theirs.round.length} there)`,
  median(ours.round),
  theirMedian(theirs.round),
);
if (pythonMissing !== undefined) {
  console.log(`\n(FastChat-style Python comparison skipped: ${pythonMissing})`);
}
console.log(
  `\nllmkit: ${mle.iterations} Newton iterations, gradient ∞-norm ${mle.gradientNorm.toExponential(2)} per battle (FastChat objective: ${penalised.iterations}, ${penalised.gradientNorm.toExponential(2)}); worst bootstrap fit ${worstBootstrap.toExponential(2)}.`,
);
if (python !== undefined) {
  const ratings = python.ratings;
  const gap = Math.max(
    ...names.map((name, i) =>
      Math.abs((penalised.ratings[name] as number) - (ratings[i] as number)),
    ),
  );
  console.log(
    `FastChat-style L-BFGS-B (maxiter 100, gtol 1e-6): ${python.iterations} iterations, gradient ∞-norm ${python.gradientNorm.toExponential(2)} per battle; largest rating difference to llmkit's converged fit of the same objective ${gap.toFixed(4)} points.`,
  );
}
console.log(
  `Planted coefficients ${JSON.stringify(PLANTED)}; recovered ${JSON.stringify(Object.fromEntries(KEYS.map((k) => [k, Number(mle.coefficients[k].toFixed(3))])))}.`,
);
console.log(
  `Largest rating error against the planted strengths: plain Bradley–Terry ${worstError(plain.ratings).toFixed(1)} points, style-controlled ${worstError(mle.ratings).toFixed(1)} points.`,
);
console.log(
  `\n| event loop held: longest gap between turns (median of ${REPS}) | gap | longest GC pause within |`,
);
console.log('| --- | --- | --- |');
const gaps = (runs: { longestMs: number; gcMs: number }[]) =>
  `${median(runs.map((r) => r.longestMs)).toFixed(1)} ms | ${median(runs.map((r) => r.gcMs)).toFixed(1)} ms`;
console.log(
  `| \`BattleCounts.from\` (synchronous: the whole call) | ${(median(syncAggregate) * 1000).toFixed(0)} ms | — |`,
);
console.log(
  `| \`BattleCounts.fromAsync\` (wall ${median(asyncTable.map((r) => r.seconds)).toFixed(3)} s) | ${gaps(asyncTable)} |`,
);
console.log(
  `| \`styleControlledRatings\` (wall ${median(fitHeld.map((r) => r.seconds)).toFixed(3)} s) | ${gaps(fitHeld)} |`,
);
console.log(
  `| \`styleControlledRatings\`, ${ROUNDS} bootstrap rounds (one run) | ${gaps([bootHeld])} |`,
);
