/**
 * A tour of @llmkit/tokenizer-bpe: load o200k_base from rank data an npm package ships, encode,
 * count, stream a decode token by token, budget a chat, and export the vocabulary for Hugging
 * Face.
 *
 * Run: node --conditions=@llmkit/source --import tsx examples/tokenize-and-stream.ts
 */
import {
  BpeTokenizer,
  countChatTokens,
  StreamingDecoder,
  truncateToTokens,
} from '@llmkit/tokenizer-bpe';
import o200k from 'js-tiktoken/ranks/o200k_base';

// 1. Load: the rank data is not bundled with the tokenizer; any source works (a fetched
//    .tiktoken file, a tokenizer.json, or, as here, the object js-tiktoken ships).
const started = performance.now();
const tokenizer = BpeTokenizer.fromTiktoken(o200k);
console.log(
  `o200k_base: ${tokenizer.vocabSize} ids, loaded in ${(performance.now() - started).toFixed(0)} ms`,
);

// 2. Encode and count.
const text = "Byte-level BPE doesn't care about scripts: naïve café, 東京, 👩‍💻 — all bytes.";
const ids = tokenizer.encode(text);
console.log(
  `${ids.length} tokens (count says ${tokenizer.count(text)}):`,
  [...ids].slice(0, 12),
  '…',
);

// 3. Special tokens follow tiktoken: refused unless allowed.
try {
  tokenizer.encode('<|endoftext|>');
} catch (error) {
  console.log('refused:', (error as Error).message.split('.')[0]);
}
console.log('allowed:', [...tokenizer.encode('<|endoftext|>', { allowedSpecial: 'all' })]);

// 4. Stream: an emoji spans several tokens; the decoder holds its bytes until it is whole.
const stream = new StreamingDecoder(tokenizer);
const chunks = [...tokenizer.encode('ok 👩‍💻!')].map((id) => stream.push(id));
console.log(
  'streamed chunks:',
  chunks.map((c) => JSON.stringify(c)).join(' '),
  JSON.stringify(stream.flush()),
);

// 5. Chat budgets: OpenAI's per-message overhead, and truncation that never splits a character.
const chat = [
  { role: 'system', content: 'You answer in one sentence.' },
  { role: 'user', content: text },
];
console.log(`chat prompt: ${countChatTokens(tokenizer, chat)} tokens`);
console.log('first 10 tokens of text:', JSON.stringify(truncateToTokens(tokenizer, text, 10)));

// 6. Interop: the same vocabulary as a Hugging Face tokenizer.json.
const json = tokenizer.toHuggingFace();
console.log(
  `tokenizer.json: ${(json.length / 1e6).toFixed(1)} MB, round trip equal:`,
  BpeTokenizer.fromHuggingFace(json).encode(text).join() === ids.join(),
);
