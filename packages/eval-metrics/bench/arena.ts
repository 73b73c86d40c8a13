/**
 * Arena benchmark: Bradley–Terry ratings and a 1,000-round bootstrap on 1 million synthetic
 * battles among 100 models, against FastChat's numpy/scipy pipeline (`fastchat_bt.py`, the
 * same data through a binary file) when `python3` with numpy and scipy is available.
 *
 *   npm run bench -w @llmkit/eval-metrics
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Battle, BattleCounts, bootstrapRatings, bradleyTerry } from '@llmkit/eval-metrics';
import { Random } from '@llmkit/numeric';

const MODELS = 100;
const BATTLES = 1_000_000;
const ROUNDS = Number(process.env.ROUNDS ?? 1000);
const PY_ROUNDS = Number(process.env.PY_ROUNDS ?? 200);

// Synthetic log: strengths spread over ~±2 nats, 10% ties, uniform random pairs.
const rng = new Random(2024);
const names = Array.from({ length: MODELS }, (_, i) => `model-${String(i).padStart(3, '0')}`);
const strength = names.map(() => rng.normal(0, 0.8));
const battles: Battle[] = new Array(BATTLES);
const schedule = new Int32Array(3 * BATTLES);
for (let n = 0; n < BATTLES; n++) {
  const a = rng.int(MODELS);
  let b = rng.int(MODELS - 1);
  if (b >= a) b++;
  const p = 1 / (1 + Math.exp((strength[b] as number) - (strength[a] as number)));
  const u = rng.uniform();
  const winner = u < 0.1 ? 'tie' : u < 0.1 + 0.9 * p ? 'model_a' : 'model_b';
  battles[n] = { model_a: names[a] as string, model_b: names[b] as string, winner };
  schedule.set([a, b, winner === 'model_a' ? 2 : winner === 'tie' ? 1 : 0], 3 * n);
}

function seconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}
function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

const aggregate: number[] = [];
const fit: number[] = [];
let table = new BattleCounts();
let result = bradleyTerry(table.addAll(battles.slice(0, 2000)));
for (let rep = 0; rep < 3; rep++) {
  let t = process.hrtime.bigint();
  table = BattleCounts.from(battles);
  aggregate.push(seconds(t));
  t = process.hrtime.bigint();
  result = bradleyTerry(table);
  fit.push(seconds(t));
}
const t = process.hrtime.bigint();
const boot = await bootstrapRatings(table, { rounds: ROUNDS, seed: 1 });
const bootSeconds = seconds(t);

let python: Record<string, number | number[]> | undefined;
const dir = mkdtempSync(join(tmpdir(), 'arena-bench-'));
try {
  const file = join(dir, 'battles.bin');
  writeFileSync(file, schedule);
  const script = new URL('./fastchat_bt.py', import.meta.url).pathname;
  python = JSON.parse(
    execFileSync('python3', [script, file, String(MODELS), String(PY_ROUNDS)], {
      encoding: 'utf8',
      maxBuffer: 1 << 26,
    }),
  );
} catch (error) {
  console.log(
    `(FastChat-style Python comparison skipped: ${(error as Error).message.split('\n')[0]})`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}

console.log(
  `## Arena: ${BATTLES.toLocaleString('en')} battles, ${MODELS} models, ${table.pairs().length} pairs\n`,
);
console.log('| step | llmkit (median) | FastChat-style numpy/scipy | ratio |');
console.log('| --- | --- | --- | --- |');
const row = (step: string, ours: number, theirs: number | undefined) =>
  console.log(
    `| ${step} | ${ours.toFixed(3)} s | ${theirs === undefined ? '—' : `${theirs.toFixed(3)} s`} | ${
      theirs === undefined ? '—' : `${(theirs / ours).toFixed(1)}×`
    } |`,
  );
row(
  'aggregate 1M battles into counts',
  median(aggregate),
  python?.aggregateSeconds as number | undefined,
);
row('Bradley–Terry fit', median(fit), python?.fitSeconds as number | undefined);
const pyPerRound =
  python === undefined
    ? undefined
    : (python.bootstrapSeconds as number) / (python.rounds as number);
row(
  `bootstrap, per round (${ROUNDS} rounds here, ${PY_ROUNDS} there)`,
  bootSeconds / ROUNDS,
  pyPerRound,
);
console.log(
  `\nllmkit: ${ROUNDS} bootstrap rounds in ${bootSeconds.toFixed(1)} s on one thread; FastChat-style used ${python?.cores ?? '?'} processes.`,
);
console.log(
  `llmkit gradient ∞-norm ${result.gradientNorm.toExponential(2)} (converged: ${result.converged}); worst over bootstrap fits ${boot.worstGradientNorm.toExponential(2)}.`,
);
if (python !== undefined) {
  const theirs = python.ratings as number[];
  // Its ratings are indexed like the schedule, i.e. like `names`.
  let worst = 0;
  for (const [i, name] of names.entries()) {
    worst = Math.max(worst, Math.abs((result.ratings[name] as number) - (theirs[i] as number)));
  }
  console.log(
    `FastChat-style fit (gtol 1e-6, maxiter 100): gradient ∞-norm ${(python.gradientNorm as number).toExponential(2)}, largest rating difference to the converged fit ${worst.toFixed(3)} Elo points.`,
  );
}
