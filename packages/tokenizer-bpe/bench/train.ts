/**
 * Training benchmark: a 30,000-token vocabulary on ~17 MB of English prose (`trainCorpus.ts`),
 * llmkit's `trainBpe` on one thread and with counting workers, against Hugging Face's native
 * Rust trainer (Python `tokenizers`, `pip install tokenizers`) on one thread and on as many.
 * llmkit runs the built package (it is built first). Every run is a fresh child process, timed
 * inside around the training call only; the
 * configurations alternate, round after round, and medians are reported. Compression is the
 * UTF-8 bytes per token on the held-out documents.
 *
 *     npm run bench:train -w @llmkit/tokenizer-bpe
 *     BENCH_ROUNDS=5 BENCH_THREADS=4 npm run bench:train -w @llmkit/tokenizer-bpe
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PATTERNS, type PatternName } from '@llmkit/tokenizer-bpe';
import { proseSplit } from './trainCorpus.js';

const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const threads = Number(process.env.BENCH_THREADS ?? availableParallelism());
const vocabSize = 30_000;
const pattern: PatternName = 'cl100k';

interface Result {
  seconds: number;
  countSeconds?: number;
  merges: [string, string][];
  heldOutTokens: number;
}
interface Config {
  name: string;
  threads: number;
  run: () => Result;
  results: Result[];
}

// The llmkit runs use the built package (dist/), as users get it.
execFileSync('npx', ['tsup'], { cwd: new URL('..', import.meta.url).pathname, stdio: 'ignore' });

const utf8Bytes = (texts: string[]) =>
  texts.reduce((n, text) => n + new TextEncoder().encode(text).length, 0);
const { train, heldOut } = proseSplit();
const dir = mkdtempSync(join(tmpdir(), 'llmkit-bench-train-'));
const trainPath = join(dir, 'train.json');
const heldOutPath = join(dir, 'held-out.json');
writeFileSync(trainPath, JSON.stringify(train));
writeFileSync(heldOutPath, JSON.stringify(heldOut));

function child(command: string, args: string[], request: object, env: object = {}): Result {
  const out = execFileSync(command, args, {
    input: JSON.stringify(request),
    env: { ...process.env, ...env },
    maxBuffer: 1 << 28,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  return JSON.parse(out.toString());
}

const ours = (n: number): Config => ({
  name: n === 0 ? 'llmkit `trainBpe`' : 'llmkit `trainBpe` + `createWorkerCounter`',
  threads: n,
  results: [],
  run: () =>
    child(
      process.execPath,
      [
        '--conditions=@llmkit/source',
        '--import',
        'tsx',
        new URL('trainLlmkit.ts', import.meta.url).pathname,
      ],
      { train: trainPath, heldOut: heldOutPath, vocabSize, pattern, threads: n },
    ),
});
const huggingFace = (n: number): Config => ({
  name: 'Hugging Face `tokenizers` 0.23 (Rust, via Python)',
  threads: n,
  results: [],
  run: () =>
    child(
      'python3',
      [new URL('trainHuggingFace.py', import.meta.url).pathname],
      { train: trainPath, heldOut: heldOutPath, vocabSize, pattern: PATTERNS[pattern] },
      { RAYON_NUM_THREADS: String(n) },
    ),
});

let hasPython = true;
try {
  execFileSync('python3', ['-c', 'import tokenizers'], { stdio: 'ignore' });
} catch {
  hasPython = false;
  console.warn(
    'Python `tokenizers` not found (pip install tokenizers): Hugging Face rows skipped.',
  );
}
const configs = [
  ours(0),
  ours(threads),
  ...(hasPython ? [huggingFace(1), huggingFace(threads)] : []),
];

try {
  for (let round = 0; round < rounds; round++) {
    // Alternate the order each round, so no trainer always runs after the same one.
    const order = round % 2 === 0 ? configs : [...configs].reverse();
    for (const config of order) {
      const result = config.run();
      config.results.push(result);
      console.error(
        `round ${round + 1}: ${config.name}, ${config.threads || 1} thread(s): ${result.seconds.toFixed(2)} s`,
      );
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const heldOutBytes = utf8Bytes(heldOut);
const reference = configs.find((c) => c.name.startsWith('Hugging Face') && c.threads === 1);
const referenceMerges = JSON.stringify(reference?.results[0]?.merges);
const cpu = cpus()[0]?.model ?? 'unknown CPU';

console.log(
  `\nVocabulary ${vocabSize.toLocaleString('en')} (pattern ${pattern}) trained on ${(utf8Bytes(train) / 1e6).toFixed(2)} MB (${train.length} documents); held out ${(heldOutBytes / 1e6).toFixed(2)} MB (${heldOut.length} documents). ${rounds} rounds, medians (min–max); ${availableParallelism()} cores (${cpu}), Node ${process.version}.\n`,
);
console.log(
  '| trainer | threads | seconds | counting pass | vs Hugging Face, 1 thread | held-out bytes/token | same merges as Hugging Face |',
);
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const c of configs) {
  const secs = c.results.map((r) => r.seconds);
  const med = median(secs);
  const count = c.results.every((r) => r.countSeconds !== undefined)
    ? `${median(c.results.map((r) => r.countSeconds!)).toFixed(2)} s`
    : '—';
  const ratio =
    reference === undefined
      ? '—'
      : `${(median(reference.results.map((r) => r.seconds)) / med).toFixed(2)}×`;
  const bpt = (heldOutBytes / c.results[0]!.heldOutTokens).toFixed(3);
  const same =
    reference === undefined
      ? '—'
      : JSON.stringify(c.results[0]!.merges) === referenceMerges
        ? 'yes'
        : 'no';
  const workers =
    c.name.includes('Worker') || c.name.startsWith('Hugging') ? String(c.threads) : '1';
  console.log(
    `| ${c.name} | ${workers} | ${med.toFixed(2)} (${Math.min(...secs).toFixed(2)}–${Math.max(...secs).toFixed(2)}) | ${count} | ${ratio} | ${bpt} | ${same} |`,
  );
}
