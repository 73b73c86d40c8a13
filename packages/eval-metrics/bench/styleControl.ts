/**
 * Style-control benchmark: 1 million synthetic battles among 100 models with a planted style
 * effect (longer, markdown-heavier answers win more often), fitted by `styleControlledRatings`
 * and by FastChat's numpy/scipy `compute_style_control` (`fastchat_style.py`, same data through
 * binary files) when `python3` with numpy and scipy is available. Also measures how long the
 * event loop is held: a `setImmediate` probe records the longest gap between its turns while
 * `BattleCounts.fromAsync` and the style fit run (V8 garbage-collection pauses included).
 *
 *   npm run bench -w @llmkit/eval-metrics
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
const ROUNDS = Number(process.env.STYLE_ROUNDS ?? 10);
const PY_ROUNDS = Number(process.env.STYLE_PY_ROUNDS ?? 4);
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
// 2 million battle and feature objects takes 100–200 ms whatever the code does).
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
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

const syncAggregate: number[] = [];
const asyncAggregate: number[] = [];
const asyncHeld: number[] = [];
const asyncGc: number[] = [];
const mleFit: number[] = [];
const mleHeld: number[] = [];
const mleGc: number[] = [];
const penalisedFit: number[] = [];
let mle = await styleControlledRatings(battles.slice(0, 1000), features.slice(0, 1000));
let penalised = mle;
for (let rep = 0; rep < 3; rep++) {
  let t = performance.now();
  BattleCounts.from(battles);
  syncAggregate.push((performance.now() - t) / 1000);
  const table = await held(() => BattleCounts.fromAsync(battles));
  asyncAggregate.push(table.seconds);
  asyncHeld.push(table.longestMs);
  asyncGc.push(table.gcMs);
  const fit = await held(() => styleControlledRatings(battles, features));
  mle = fit.result;
  mleFit.push(fit.seconds);
  mleHeld.push(fit.longestMs);
  mleGc.push(fit.gcMs);
  t = performance.now();
  penalised = await styleControlledRatings(battles, features, FASTCHAT_STYLE_PENALTY);
  penalisedFit.push((performance.now() - t) / 1000);
}
const boot = await held(() =>
  styleControlledRatings(battles, features, { rounds: ROUNDS, seed: 1 }),
);
const plain = bradleyTerry(BattleCounts.from(battles));

let python: Record<string, number | number[]> | undefined;
const dir = mkdtempSync(join(tmpdir(), 'style-bench-'));
try {
  writeFileSync(join(dir, 'battles.bin'), schedule);
  writeFileSync(join(dir, 'features.bin'), rawFeatures);
  const script = new URL('./fastchat_style.py', import.meta.url).pathname;
  python = JSON.parse(
    execFileSync(
      'python3',
      [
        script,
        join(dir, 'battles.bin'),
        join(dir, 'features.bin'),
        String(MODELS),
        String(PY_ROUNDS),
      ],
      { encoding: 'utf8', maxBuffer: 1 << 26 },
    ),
  );
} catch (error) {
  console.log(
    `(FastChat-style Python comparison skipped: ${(error as Error).message.split('\n')[0]})`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}

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
console.log('| step | llmkit (median of 3) | FastChat-style numpy/scipy | ratio |');
console.log('| --- | --- | --- | --- |');
const row = (step: string, ours: number, theirs: number | undefined) =>
  console.log(
    `| ${step} | ${ours.toFixed(3)} s | ${theirs === undefined ? '—' : `${theirs.toFixed(3)} s`} | ${
      theirs === undefined ? '—' : `${(theirs / ours).toFixed(1)}×`
    } |`,
  );
row(
  'style-control fit, FastChat objective (reg 0.5)',
  median(penalisedFit),
  python?.fitSeconds as number | undefined,
);
row('style-control fit, maximum likelihood (default)', median(mleFit), undefined);
row(
  `bootstrap, per round (${ROUNDS} rounds here, ${PY_ROUNDS} there)`,
  boot.seconds / ROUNDS,
  python === undefined
    ? undefined
    : (python.bootstrapSeconds as number) / (python.rounds as number),
);
console.log(
  `\nllmkit: ${mle.iterations} Newton iterations, gradient ∞-norm ${mle.gradientNorm.toExponential(2)} per battle (penalised: ${penalised.iterations}, ${penalised.gradientNorm.toExponential(2)}); worst bootstrap fit ${boot.result.worstGradientNorm.toExponential(2)}.`,
);
if (python !== undefined) {
  const theirs = python.ratings as number[];
  const gap = Math.max(
    ...names.map((name, i) =>
      Math.abs((penalised.ratings[name] as number) - (theirs[i] as number)),
    ),
  );
  console.log(
    `FastChat-style L-BFGS-B (maxiter 100, gtol 1e-6): ${python.iterations} iterations, gradient ∞-norm ${(python.gradientNorm as number).toExponential(2)} per battle; largest rating difference to the converged fit of the same objective ${gap.toFixed(4)} points; ${python.cores} processes for its bootstrap.`,
  );
}
console.log(
  `Planted coefficients ${JSON.stringify(PLANTED)}; recovered ${JSON.stringify(Object.fromEntries(KEYS.map((k) => [k, Number(mle.coefficients[k].toFixed(3))])))}.`,
);
console.log(
  `Largest rating error against the planted strengths: plain Bradley–Terry ${worstError(plain.ratings).toFixed(1)} points, style-controlled ${worstError(mle.ratings).toFixed(1)} points.`,
);
console.log(
  '\n| event loop held: longest gap between turns (median of 3) | gap | longest GC pause within |',
);
console.log('| --- | --- | --- |');
console.log(
  `| \`BattleCounts.from\` (synchronous: the whole call) | ${(median(syncAggregate) * 1000).toFixed(0)} ms | — |`,
);
console.log(
  `| \`BattleCounts.fromAsync\` (total ${median(asyncAggregate).toFixed(3)} s) | ${median(asyncHeld).toFixed(1)} ms | ${median(asyncGc).toFixed(1)} ms |`,
);
console.log(
  `| \`styleControlledRatings\` (total ${median(mleFit).toFixed(3)} s) | ${median(mleHeld).toFixed(1)} ms | ${median(mleGc).toFixed(1)} ms |`,
);
console.log(
  `| \`styleControlledRatings\`, ${ROUNDS} bootstrap rounds | ${boot.longestMs.toFixed(1)} ms | ${boot.gcMs.toFixed(1)} ms |`,
);
