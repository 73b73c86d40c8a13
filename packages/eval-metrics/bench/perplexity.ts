/**
 * Perplexity accumulation throughput (tokens/s): `PerplexityAccumulator.add` on documents of
 * 1,000 token log-probabilities with their text, against a plain JavaScript loop that only sums
 * the log-probabilities (the floor any accumulator pays), alternating runs.
 *
 *   npm run bench -w @llmkit/eval-metrics
 */
import { PerplexityAccumulator } from '@llmkit/eval-metrics';
import { Random } from '@llmkit/numeric';

const DOCS = 5000;
const TOKENS = 1000;
const rng = new Random(7);
const docs = Array.from({ length: DOCS }, () =>
  Float64Array.from({ length: TOKENS }, () => -rng.uniform() * 6),
);
const text = 'the quick brown fox jumps over the lazy dog '.repeat(100);
const bytes = new TextEncoder().encode(text).length;
const words = text.split(/\s+/).length;

function ours(withText: boolean): number {
  const acc = new PerplexityAccumulator();
  for (const d of docs) acc.add(d, withText ? { text } : { bytes, words });
  return acc.result().perplexity;
}
function plain(): number {
  let sum = 0;
  let n = 0;
  for (const d of docs) {
    for (let i = 0; i < d.length; i++) sum += d[i] as number;
    n += d.length;
  }
  return Math.exp(-sum / n);
}

const times: Record<string, number[]> = { counts: [], text: [], plain: [] };
let sink = 0;
for (let rep = 0; rep < 7; rep++) {
  for (const [name, run] of [
    ['counts', () => ours(false)],
    ['text', () => ours(true)],
    ['plain', plain],
  ] as const) {
    const t = process.hrtime.bigint();
    sink += run();
    times[name]?.push(Number(process.hrtime.bigint() - t) / 1e9);
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const rate = (s: number) => `${((DOCS * TOKENS) / s / 1e6).toFixed(0)} M tokens/s`;
console.log(`## Perplexity accumulation: ${DOCS} documents × ${TOKENS} tokens (median of 7)\n`);
console.log('| variant | throughput | vs plain sum |');
console.log('| --- | --- | --- |');
const base = median(times.plain as number[]);
for (const [name, label] of [
  ['counts', 'PerplexityAccumulator.add, byte/word counts given'],
  ['text', 'PerplexityAccumulator.add, text given (UTF-8 + word count per document)'],
  ['plain', 'plain loop summing log-probs (no validation, no statistics)'],
] as const) {
  const m = median(times[name] as number[]);
  console.log(`| ${label} | ${rate(m)} | ${(base / m).toFixed(2)}× |`);
}
if (!Number.isFinite(sink)) console.log('unreachable');
