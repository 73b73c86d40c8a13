/**
 * One timed `trainBpe` run of the built package for bench/train.ts, in a fresh process so that
 * every run pays the same start-up (JIT warm-up included), as the Python trainer's runs do.
 *
 * Reads a JSON request on stdin: {"train", "heldOut": paths of JSON arrays of texts,
 * "vocabSize", "pattern": a pattern name, "threads": 0 for this thread, else counting workers}.
 * Prints one JSON line: {"seconds", "countSeconds", "merges" (byte-level string pairs, as in
 * tokenizer.json), "heldOutTokens"}.
 */
import { readFileSync } from 'node:fs';
import type { PatternName } from '@llmkit/tokenizer-bpe';

// The built package, as users get it (bench/train.ts builds it first): worker threads then start
// from plain JavaScript, not through a TypeScript loader.
type Core = typeof import('@llmkit/tokenizer-bpe');
type NodeOnly = typeof import('@llmkit/tokenizer-bpe/node');
const dist = new URL('../dist/', import.meta.url);
const { trainBpe }: Core = await import(new URL('index.js', dist).href);
const { createWorkerCounter }: NodeOnly = await import(new URL('node/index.js', dist).href);

interface Request {
  train: string;
  heldOut: string;
  vocabSize: number;
  pattern: PatternName;
  threads: number;
}

const request: Request = JSON.parse(readFileSync(0, 'utf8'));
const texts: string[] = JSON.parse(readFileSync(request.train, 'utf8'));
const heldOut: string[] = JSON.parse(readFileSync(request.heldOut, 'utf8'));

let countEnd = 0;
const start = performance.now();
const tokenizer = await trainBpe(texts, {
  vocabSize: request.vocabSize,
  pattern: request.pattern,
  ...(request.threads > 0 ? { countWords: createWorkerCounter({ threads: request.threads }) } : {}),
  onProgress: (p) => {
    if (p.phase !== 'counting' && countEnd === 0) countEnd = performance.now();
  },
});
const seconds = (performance.now() - start) / 1000;
const heldOutTokens = heldOut.reduce((n, text) => n + tokenizer.encodeOrdinary(text).length, 0);
console.log(
  JSON.stringify({
    seconds,
    countSeconds: (countEnd - start) / 1000,
    merges: JSON.parse(tokenizer.toHuggingFace()).model.merges,
    heldOutTokens,
  }),
);
