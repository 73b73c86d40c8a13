/**
 * A counting pass on worker threads, for `trainBpe`'s `countWords` option (Node only; the rest
 * of the package stays browser-safe). The calling thread reads the corpus and hands batches of
 * texts to the workers, at most two batches ahead per worker so that a corpus larger than
 * memory streams through; each worker counts its batches into its own table with the same code
 * as `countWords`; at the end the tables come back as typed arrays and are added up. Counts are
 * sums, so the result does not depend on which worker saw which text, and training gives the
 * same tokenizer as on one thread.
 */
/// <reference types="node" />
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { type CountWordsOptions, preTokenizerOf, type WordCounter } from '../countWords.js';
import { describeValue } from '../internal/describeValue.js';
import { readTexts } from '../internal/readTexts.js';
import { WordTable, type WordTableData } from '../internal/wordTable.js';
import { TokenizerError } from '../tokenizerError.js';
import type { CountProgress } from '../trainProgress.js';
import type { FromWorker, ToWorker, WorkerInit } from './countWorker.js';

/** Options of {@link createWorkerCounter}. @public */
export interface WorkerCounterOptions {
  /**
   * Worker threads to count with.
   * @defaultValue `os.availableParallelism()`
   */
  readonly threads?: number;
  /**
   * UTF-16 code units of text per batch sent to a worker: larger batches cost fewer messages,
   * smaller ones balance better.
   * @defaultValue 262144
   */
  readonly batchSize?: number;
}

const IN_FLIGHT_PER_WORKER = 2;
const REPORT_MS = 100;

function checkCount(argument: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 1 << 30) {
    throw new TokenizerError({
      code: 'INVALID_ARGUMENT',
      fn: 'createWorkerCounter',
      argument,
      detail: `expected a positive integer, received ${describeValue(value)}.`,
    });
  }
  return value;
}

/**
 * Starts a counting worker, without the parent's Node flags (a loader such as tsx would only
 * slow its start). Run from the TypeScript sources (tests, benchmarks), it loads them through tsx.
 */
function startWorker(init: WorkerInit): Worker {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) {
    return new Worker(new URL('./countWorker.js', here), { workerData: init, execArgv: [] });
  }
  const script = new URL('./countWorker.ts', here).href;
  const bootstrap = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(script)}); });`;
  return new Worker(bootstrap, { eval: true, workerData: init, execArgv: [] });
}

/** One worker with its batches in flight and its last reported totals. */
interface Lane {
  readonly worker: Worker;
  inFlight: number;
  totals: CountProgress;
}

/**
 * A {@link WordCounter} that counts on worker threads: pass it as `trainBpe`'s `countWords`.
 * Workers start with each call and end with it.
 * @example
 * ```ts
 * import { trainBpe } from '@llmkit/tokenizer-bpe';
 * import { createWorkerCounter } from '@llmkit/tokenizer-bpe/node';
 * const tokenizer = await trainBpe(lines, { vocabSize: 30000, countWords: createWorkerCounter() });
 * ```
 * @public
 */
export function createWorkerCounter(options: WorkerCounterOptions = {}): WordCounter {
  const threads = checkCount('options.threads', options.threads ?? availableParallelism());
  const batchSize = checkCount('options.batchSize', options.batchSize ?? 1 << 18);
  return (texts, countOptions: CountWordsOptions = {}) =>
    countOnWorkers(texts, countOptions, threads, batchSize);
}

async function countOnWorkers(
  texts: Iterable<string> | AsyncIterable<string>,
  options: CountWordsOptions,
  threads: number,
  batchSize: number,
): Promise<Map<string, number>> {
  const { signal, onProgress } = options;
  signal?.throwIfAborted();
  const preTokenizer = preTokenizerOf(options.pattern);
  const init: WorkerInit = { pattern: preTokenizer.pattern, gaps: preTokenizer.gaps };
  const zero: CountProgress = { textsRead: 0, bytesRead: 0, wordsCounted: 0, uniqueWords: 0 };
  const lanes: Lane[] = Array.from({ length: threads }, () => ({
    worker: startWorker(init),
    inFlight: 0,
    totals: zero,
  }));
  const tables: WordTableData[] = [];
  // Settled by the first failure (a worker error or an abort); every wait races against it.
  let fail: (reason: unknown) => void = () => {};
  const failed = new Promise<never>((_, reject) => {
    fail = reject;
  });
  failed.catch(() => {});
  let wake: (() => void) | undefined;
  let lastReport = 0;
  /** Reports the workers' totals; `uniqueWords` is exact only once their tables are added up. */
  const report = (uniqueWords?: number): void => {
    const now = performance.now();
    if (onProgress === undefined || (uniqueWords === undefined && now - lastReport < REPORT_MS)) {
      return;
    }
    lastReport = now;
    const sum = (key: keyof CountProgress) => lanes.reduce((n, lane) => n + lane.totals[key], 0);
    onProgress({
      textsRead: sum('textsRead'),
      bytesRead: sum('bytesRead'),
      wordsCounted: sum('wordsCounted'),
      // The workers' tables overlap: until they are added up, the largest is a lower bound.
      uniqueWords: uniqueWords ?? Math.max(...lanes.map((lane) => lane.totals.uniqueWords)),
    });
  };
  for (const lane of lanes) {
    lane.worker.on('message', (message: FromWorker) => {
      if (message.type === 'counted') {
        lane.inFlight--;
        const { type: _, ...totals } = message;
        lane.totals = totals;
        report();
      } else {
        tables.push(message.table);
      }
      wake?.();
    });
    lane.worker.on('error', fail);
    lane.worker.on('exit', (code) => {
      if (code !== 0) fail(new Error(`a counting worker exited with code ${code}`));
    });
  }
  const onAbort = (): void => fail(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  /** Resolves at the next message from a worker (or rejects on failure). */
  const nextMessage = (): Promise<void> =>
    Promise.race([new Promise<void>((resolve) => (wake = resolve)), failed]);

  const post = (lane: Lane, message: ToWorker): void => lane.worker.postMessage(message);
  let batch: string[] = [];
  let batchChars = 0;
  const send = async (): Promise<void> => {
    let lane = lanes.reduce((a, b) => (b.inFlight < a.inFlight ? b : a));
    while (lane.inFlight >= IN_FLIGHT_PER_WORKER) {
      await nextMessage();
      lane = lanes.reduce((a, b) => (b.inFlight < a.inFlight ? b : a));
    }
    lane.inFlight++;
    post(lane, { type: 'texts', texts: batch });
    batch = [];
    batchChars = 0;
  };
  try {
    await Promise.race([
      readTexts('createWorkerCounter', texts, (text) => {
        if (signal?.aborted) throw signal.reason;
        batch.push(text);
        batchChars += text.length;
        return batchChars >= batchSize ? send() : undefined;
      }),
      failed,
    ]);
    if (batch.length > 0) await send();
    for (const lane of lanes) post(lane, { type: 'finish' });
    while (tables.length < threads) await nextMessage();
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await Promise.all(lanes.map((lane) => lane.worker.terminate()));
  }
  const total = new WordTable();
  for (const table of tables) total.addAll(table);
  report(total.size);
  return total.toMap();
}
