/**
 * The worker-thread side of `createWorkerCounter`: counts the pre-tokens of the batches of
 * texts it is sent with the same code as `countWords` (`internal/wordTally.ts`), acknowledges
 * each batch with its running totals, and sends its word table when told to finish.
 */
/// <reference types="node" />
import { parentPort, workerData } from 'node:worker_threads';
import type { WordTableData } from '../internal/wordTable.js';
import { WordTally } from '../internal/wordTally.js';
import { PreTokenizer, type PreTokenizerOptions } from '../preTokenizer.js';

/** What the pool tells a worker. */
export type ToWorker =
  | { readonly type: 'texts'; readonly texts: string[] }
  | { readonly type: 'finish' };

/** What a worker answers: running totals after a batch, then its table. */
export type FromWorker =
  | {
      readonly type: 'counted';
      readonly textsRead: number;
      readonly bytesRead: number;
      readonly wordsCounted: number;
      readonly uniqueWords: number;
    }
  | { readonly type: 'words'; readonly table: WordTableData };

/** The pre-tokenizer a worker is started with. */
export interface WorkerInit {
  readonly pattern: string;
  readonly gaps: NonNullable<PreTokenizerOptions['gaps']>;
}

const init = workerData as WorkerInit;
const tally = new WordTally(new PreTokenizer(init.pattern, { gaps: init.gaps }));
const port = parentPort!;

port.on('message', (message: ToWorker) => {
  if (message.type === 'texts') {
    for (const text of message.texts) tally.add(text);
    const reply: FromWorker = {
      type: 'counted',
      textsRead: tally.textsRead,
      bytesRead: tally.bytesRead,
      wordsCounted: tally.wordsCounted,
      uniqueWords: tally.words.size,
    };
    port.postMessage(reply);
  } else {
    // Typed arrays, moved rather than copied; the pool adds them up without making strings.
    const table = tally.words.data();
    const reply: FromWorker = { type: 'words', table };
    port.postMessage(reply, [
      table.chars.buffer,
      table.lengths.buffer,
      table.hashes.buffer,
      table.counts.buffer,
    ]);
  }
});
