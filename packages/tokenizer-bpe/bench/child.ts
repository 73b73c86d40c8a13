/**
 * Runs in a fresh process, started by `encode.ts`: loads one library's o200k_base or cl100k_base
 * tokenizer the way an application would (import the library and its rank data, construct,
 * encode one word) and prints JSON with the load time (wall and CPU) and memory; with a third argument
 * (`letter`, `spaces`, `cjk`) it then times the encoding of 1 MB of that pathological input.
 * `encode.ts` compiles this file to JavaScript first, so the child is plain Node (no TypeScript
 * loader in the measurement), and `@llmkit/tokenizer-bpe` comes from its built output.
 *
 *   node --expose-gc child.mjs <library> <encoding> [input]
 */
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';

const require = createRequire(import.meta.url);
const [library = 'none', encoding = 'o200k_base', input] = process.argv.slice(2);

type Encode = (text: string) => unknown;

async function load(): Promise<Encode> {
  switch (library) {
    case 'none':
      return () => 0;
    case '@llmkit/tokenizer-bpe': {
      const { BpeTokenizer } = await import(process.env.LLMKIT_BENCH_DIST ?? '');
      const ranks = (await import(`js-tiktoken/ranks/${encoding}`)).default;
      const t = BpeTokenizer.fromTiktoken(ranks);
      return (s) => t.encode(s, { disallowedSpecial: [] });
    }
    case 'tiktoken (WASM)': {
      const { get_encoding } = await import('tiktoken');
      const t = get_encoding(encoding as 'o200k_base');
      return (s) => t.encode_ordinary(s);
    }
    case 'js-tiktoken': {
      const { Tiktoken } = await import('js-tiktoken/lite');
      const t = new Tiktoken((await import(`js-tiktoken/ranks/${encoding}`)).default);
      return (s) => t.encode(s, [], []);
    }
    case 'gpt-tokenizer': {
      const t = await import(`gpt-tokenizer/encoding/${encoding}`);
      return (s) => t.encode(s, { disallowedSpecial: new Set() });
    }
    case 'ai-tokenizer': {
      const { default: Tokenizer } = await import('ai-tokenizer');
      const t = new Tokenizer(await import(`ai-tokenizer/encoding/${encoding}`));
      return (s) => t.encode(s, [], []);
    }
    case '@microsoft/tiktokenizer': {
      const { createTokenizer, getRegexByEncoder, getSpecialTokensByEncoder } = await import(
        '@microsoft/tiktokenizer'
      );
      const file = process.env.LLMKIT_BENCH_RANK_FILE ?? '';
      const t = createTokenizer(
        file,
        getSpecialTokensByEncoder(encoding),
        getRegexByEncoder(encoding),
      );
      return (s) => t.encode(s, []);
    }
    case '@anysphere/tiktoken-node (native)': {
      const native = require('@anysphere/tiktoken-node');
      const t = native.getTokenizer();
      const e =
        encoding === 'cl100k_base'
          ? native.SupportedEncoding.Cl100k
          : native.SupportedEncoding.O200k;
      // The native encoder runs on a worker thread; wait for it.
      const encode = (s: string) => t.encode(s, e, native.SpecialTokenAction.NormalText, []);
      await encode('warm');
      return encode;
    }
    case 'Hugging Face tokenizers (native)': {
      const { Tokenizer } = require('tokenizers');
      const t = Tokenizer.fromFile(process.env.LLMKIT_BENCH_HF_FILE ?? '');
      return (s) => t.encode(s, null, { addSpecialTokens: false });
    }
    default:
      throw new Error(`unknown library ${library}`);
  }
}

const start = performance.now();
const startCpu = process.cpuUsage();
const encode = await load();
await encode('hello');
const loadMs = performance.now() - start;
// CPU time as well: on a shared machine the wall clock also counts waiting for a core.
const loadCpu = process.cpuUsage(startCpu);
const loadCpuMs = (loadCpu.user + loadCpu.system) / 1e3;
(globalThis as { gc?: () => void }).gc?.();
const rss = process.memoryUsage().rss;

let seconds: number | undefined;
if (input !== undefined) {
  const unit = input === 'letter' ? 'a' : input === 'spaces' ? ' ' : '中';
  const text = unit.repeat(Math.floor(1_000_000 / new TextEncoder().encode(unit).length));
  const cpu = process.cpuUsage();
  await encode(text);
  const used = process.cpuUsage(cpu);
  seconds = (used.user + used.system) / 1e6;
}
process.stdout.write(`${JSON.stringify({ loadMs, loadCpuMs, rss, seconds })}\n`);
