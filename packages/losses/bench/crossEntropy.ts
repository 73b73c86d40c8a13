/**
 * Forward + backward of `crossEntropy` at language-model scale (V = 50,257, GPT-2's vocabulary)
 * against the naive composition a user would write with tfjs ops — log(softmax(x)), then a
 * gather of the target entries — on the wasm and cpu backends.
 *
 * Each (backend, rows N = B·T) runs in a fresh process that alternates the two implementations
 * round by round; if that process runs out of heap, each implementation is retried alone in its
 * own process. (The wasm heap never shrinks, and tfjs-backend-wasm does not check its
 * allocations, so running out of heap corrupts memory and aborts the process with "memory access
 * out of bounds" instead of throwing.) Reported:
 * - fits: whether the pass completes. The wasm heap is capped at 4 GiB (wasm32); at V = 50,257 one
 *   [N, V] float32 tensor of N = 8192 rows is 1.65 GB, so the cap decides which sizes can run;
 * - time: median wall time of `ops.grads` of the mean loss over `ROUNDS` passes, and the median
 *   CPU time of the process over the same passes (steadier than wall time on a shared machine;
 *   everything runs on one thread unless `THREADS` > 1);
 * - engine peak: `ops.profile(...).peakBytes` above the bytes held before, in units of one
 *   [N, V] float32 tensor. tfjs counts bytes per tensor object, so a view (a reshape, the clone
 *   autodiff keeps of a saved tensor) counts like a buffer;
 * - process peak: the child's peak resident set (`process.resourceUsage().maxRSS`), which holds
 *   the wasm heap (it never shrinks), the JavaScript copy `randomNormal` fills before uploading
 *   the logits, and ONNX Runtime's buffers. A process that ran both implementations reports the
 *   larger of the two.
 *
 * Run: `npm run bench -w @llmkit/losses` (8 to 12 minutes on a 2-core VM). `ROUNDS` sets the
 * timed passes per process (default 3); `THREADS` the threads tensor-gpu's ONNX Runtime kernels
 * may use (default 1; tfjs's cpu and wasm backends run on one thread in Node);
 * `ONLY=wasm:4096` runs one row of the plan.
 */
import { execFileSync } from 'node:child_process';
import { crossEntropy } from '@llmkit/losses';
import {
  computeInfo,
  dispose,
  initCompute,
  memoryReport,
  ops,
  type Tensor,
} from '@llmkit/tensor-gpu';

const VOCAB = 50_257;
const THREADS = Number(process.env.THREADS ?? 1);
type Impl = 'llmkit' | 'naive';
type Backend = 'wasm' | 'cpu';

function inputs(rows: number): { logits: Tensor; targets: Tensor; flat: Tensor } {
  const logits = ops.randomNormal([rows, VOCAB], 0, 2, 'float32', 7);
  const classes = Array.from({ length: rows }, (_, i) => (i * 7919) % VOCAB);
  return {
    logits,
    targets: ops.tensor1d(classes, 'int32'),
    flat: ops.tensor1d(
      classes.map((c, i) => i * VOCAB + c),
      'int32',
    ),
  };
}

function objective(impl: Impl, rows: number, targets: Tensor, flat: Tensor): (x: Tensor) => Tensor {
  if (impl === 'llmkit') return (x) => crossEntropy(x, targets).loss;
  // −mean log softmax(x)[n, t_n]: softmax, then log, then gather (its gradient is a dense
  // UnsortedSegmentSum into [N·V]).
  return (x) =>
    ops.neg(ops.mean(ops.gather(ops.reshape(ops.log(ops.softmax(x)), [rows * VOCAB]), flat)));
}

/** Wall and CPU seconds of one forward + backward pass. */
function step(impl: Impl, rows: number, t: ReturnType<typeof inputs>): [number, number] {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const [grad] = ops.grads(objective(impl, rows, t.targets, t.flat))([t.logits]);
  dispose(grad!); // cpu and wasm compute synchronously: the gradient is complete here
  const used = process.cpuUsage(cpu);
  return [(performance.now() - start) / 1000, (used.user + used.system) / 1e6];
}

async function enginePeak(impl: Impl, rows: number, t: ReturnType<typeof inputs>): Promise<number> {
  const before = memoryReport().bytes;
  const profile = await ops.profile(() => {
    const [grad] = ops.grads(objective(impl, rows, t.targets, t.flat))([t.logits]);
    dispose(grad!);
  });
  return (profile.peakBytes - before) / (rows * VOCAB * 4);
}

/**
 * Child mode: `rounds` timed passes of each implementation, alternating between them, then one
 * profiled pass of each; prints one JSON line.
 */
async function child(backend: Backend, rows: number, impls: Impl[], rounds: number): Promise<void> {
  await initCompute({ backend, threads: THREADS });
  const t = inputs(rows);
  const times: Record<string, [number, number][]> = Object.fromEntries(
    impls.map((impl) => [impl, []]),
  );
  for (let round = 0; round < rounds; round++) {
    for (const impl of impls) times[impl]!.push(step(impl, rows, t));
  }
  const peaks: Record<string, number> = {};
  for (const impl of impls) peaks[impl] = await enginePeak(impl, rows, t);
  const rssGB = (process.resourceUsage().maxRSS * 1024) / 1e9;
  console.log(JSON.stringify({ times, peaks, rssGB, notes: computeInfo()!.notes }));
}

/** Median time and engine peak per implementation from one fresh process, or why it failed. */
function measure(backend: Backend, rows: number, impls: Impl[], rounds: number): Map<Impl, string> {
  const script = new URL(import.meta.url).pathname;
  const args = [
    ...process.execArgv,
    script,
    'child',
    backend,
    String(rows),
    impls.join(','),
    String(rounds),
  ];
  const results = new Map<Impl, string>();
  try {
    const out = execFileSync(process.execPath, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 1 << 24,
    });
    const { times, peaks, rssGB, notes } = JSON.parse(
      out.toString().trim().split('\n').at(-1)!,
    ) as {
      times: Record<Impl, [number, number][]>;
      peaks: Record<Impl, number>;
      rssGB: number;
      notes: string[];
    };
    for (const note of notes) seenNotes.add(`${backend}: ${note}`);
    const shared = impls.length > 1 ? ' (both)' : '';
    for (const impl of impls) {
      const wall = median(times[impl].map(([w]) => w)).toFixed(2);
      const cpu = median(times[impl].map(([, c]) => c)).toFixed(2);
      results.set(
        impl,
        `yes | ${wall} s | ${cpu} s | ${peaks[impl].toFixed(2)} | ${rssGB.toFixed(2)} GB${shared}`,
      );
    }
  } catch (error) {
    if (impls.length > 1) {
      // One of them ran out of heap: measure each alone to see which.
      for (const impl of impls)
        results.set(impl, measure(backend, rows, [impl], rounds).get(impl)!);
      return results;
    }
    const text = `${(error as { stderr?: Buffer }).stderr ?? ''}`;
    const reason =
      /memory access out of bounds|out of memory|Array buffer allocation failed|heap limit/i.exec(
        text,
      )?.[0] ??
      /^\w*Error\b.{0,100}/m.exec(text)?.[0] ??
      'failed';
    results.set(impls[0]!, `no (${reason}) | — | — | — | —`);
  }
  return results;
}

/** What `initCompute` reported in the children, printed once under the table. */
const seenNotes = new Set<string>();

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * What runs: wasm at every size for both implementations (the heap cap decides what fits); cpu
 * at the size for llmkit only (its plain-JavaScript kernels keep every buffer in the
 * process heap, and the naive composition would need more than ten [N, V] tensors, about 17 GB,
 * on a machine shared with other work), and both at a small size for the speed ratio.
 */
const PLAN: readonly { backend: Backend; rows: number; impls: readonly Impl[] }[] = [
  { backend: 'wasm', rows: 8192, impls: ['llmkit', 'naive'] },
  { backend: 'wasm', rows: 6144, impls: ['llmkit', 'naive'] },
  { backend: 'wasm', rows: 4096, impls: ['llmkit', 'naive'] },
  { backend: 'wasm', rows: 2048, impls: ['llmkit', 'naive'] },
  { backend: 'wasm', rows: 1024, impls: ['llmkit', 'naive'] },
  { backend: 'cpu', rows: 8192, impls: ['llmkit'] },
  { backend: 'cpu', rows: 1024, impls: ['llmkit', 'naive'] },
];

async function main(): Promise<void> {
  const [mode, ...rest] = process.argv.slice(2);
  if (mode === 'child') {
    return child(
      rest[0] as Backend,
      Number(rest[1]),
      rest[2]!.split(',') as Impl[],
      Number(rest[3]),
    );
  }
  const rounds = Number(process.env.ROUNDS ?? 3);
  const only = process.env.ONLY; // e.g. "wasm:4096" to run one row of the plan
  console.log(
    `V = ${VOCAB}; ${rounds} timed rounds per process; ${THREADS} ONNX Runtime thread(s); node ${process.version}`,
  );
  console.log(
    '| backend | rows N = B·T | implementation | fits | fwd+bwd wall (median) | CPU (median) | engine peak ([N, V] tensors) | process peak RSS |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const { backend, rows, impls } of PLAN) {
    if (only !== undefined && only !== `${backend}:${rows}`) continue;
    const results = measure(backend, rows, [...impls], rounds);
    for (const impl of impls)
      console.log(`| ${backend} | ${rows} | ${impl} | ${results.get(impl)} |`);
  }
  for (const note of seenNotes) console.log(`- ${note}`);
}

await main();
