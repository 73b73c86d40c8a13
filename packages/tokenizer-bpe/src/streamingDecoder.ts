/**
 * `StreamingDecoder`: ids in, text out, for a server that streams tokens as they are generated.
 *
 * One token may end in the middle of a multi-byte character (byte-level BPE splits UTF-8
 * freely: an emoji is often two or three tokens). Decoding each token on its own would emit
 * U+FFFD for the halves; this decoder holds back an incomplete sequence until the bytes that
 * complete it arrive, so every chunk is valid text and the chunks join to exactly
 * `tokenizer.decode(allIds)`. It uses the WHATWG `TextDecoder` in streaming mode, which
 * specifies exactly that behavior.
 */
import type { Tokenizer } from './tokenizer.js';

/**
 * Turns a stream of token ids into valid text chunks.
 * @example
 * ```ts
 * const stream = new StreamingDecoder(tokenizer);
 * for await (const id of generate()) res.write(stream.push(id));
 * res.end(stream.flush());
 * ```
 * @public
 */
export class StreamingDecoder {
  readonly #tokenizer: Pick<Tokenizer, 'decodeBytes'>;
  #decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  #one = [0];

  constructor(tokenizer: Pick<Tokenizer, 'decodeBytes'>) {
    this.#tokenizer = tokenizer;
  }

  /**
   * Adds one id or several; returns the text they complete (`''` while a character is still
   * incomplete).
   * @throws what the tokenizer's `decodeBytes` throws for an unknown id (nothing is consumed)
   */
  push(ids: number | ArrayLike<number>): string {
    let list: ArrayLike<number>;
    if (typeof ids === 'number') {
      this.#one[0] = ids;
      list = this.#one;
    } else list = ids;
    return this.#decoder.decode(this.#tokenizer.decodeBytes(list), { stream: true });
  }

  /**
   * Ends the stream: returns whatever was held back (an incomplete character becomes U+FFFD)
   * and starts afresh.
   */
  flush(): string {
    return this.#decoder.decode();
  }
}
