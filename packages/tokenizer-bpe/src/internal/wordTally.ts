/**
 * The counting pass of training: pre-tokens of each text are counted in a {@link WordTable}.
 * Shared by `countWords` on the calling thread and by the worker threads of
 * `@llmkit/tokenizer-bpe/node`, so both count exactly alike.
 *
 * Long texts are counted in bounded steps (`step` returns where it stopped) so that the caller
 * can yield and honour cancellation inside a single huge text. Bytes read are the UTF-8 bytes of
 * the pre-tokens (kept per distinct word) plus those of text the pattern skips.
 */
import type { PreTokenizer } from '../preTokenizer.js';
import { toWellFormed } from './utf8.js';
import { WordTable } from './wordTable.js';

/** Pre-tokens counted per `add` step before returning to the caller. */
const PIECES_PER_STEP = 1 << 15;

const textEncoder = new TextEncoder();

export class WordTally {
  /** Each distinct pre-token and how often it occurred. */
  readonly words: WordTable = new WordTable();
  textsRead = 0;
  wordsCounted = 0;
  /** UTF-8 bytes of text that no pre-token covers (a custom pattern's gaps). */
  #skippedBytes = 0;
  readonly #preTokenizer: PreTokenizer;
  #text = '';

  constructor(preTokenizer: PreTokenizer) {
    this.#preTokenizer = preTokenizer;
  }

  /** UTF-8 bytes read so far. */
  get bytesRead(): number {
    return this.words.bytes + this.#skippedBytes;
  }

  /** Starts a text (lone surrogates become U+FFFD, as the tokenizer sees them). */
  begin(text: string): void {
    this.#text = toWellFormed(text);
    this.textsRead++;
  }

  /** Counts pre-tokens of the current text from `at`; returns where to go on, or -1 at its end. */
  step(at: number): number {
    const text = this.#text;
    const end = text.length;
    const scan = this.#preTokenizer.scan;
    const words = this.words;
    let pieces = 0;
    let i = at;
    while (i < end) {
      if (pieces === PIECES_PER_STEP) {
        this.wordsCounted += pieces;
        return i;
      }
      const j = scan(text, i, end);
      if (j < 0) {
        this.#skippedBytes += textEncoder.encode(text.slice(i, ~j)).length;
        i = ~j;
        continue;
      }
      words.add(text, i, j);
      pieces++;
      i = j;
    }
    this.wordsCounted += pieces;
    this.#text = '';
    return -1;
  }

  /** Counts a whole text at once. */
  add(text: string): void {
    this.begin(text);
    for (let at = 0; at >= 0; ) at = this.step(at);
  }
}
