/**
 * Forward + backward of `crossEntropy` at language-model scale (V = 50,257, GPT-2's vocabulary)
 * against the naive composition a user would write with tfjs ops — log(softmax(x)), then a
 * gather of the target entries — on the wasm and cpu backends.
 *
 * Reported per (backend, rows N = B·T, implementation):
 * - time: median wall time of `ops.grads` of the mean loss, alternating the two implementations
 *   in one process;
 * - engine peak: `ops.profile(...).peakBytes` above the bytes held before (tfjs counts bytes per
 *   tensor, so views such as reshapes and the clones autodiff saves count as well), in units of
 *   one [N, V] float32 tensor;
 * - fits: whether the pass completes at all. The wasm backend's heap is capped at 4 GiB (wasm32),
 *   so at V = 50,257 each [N, V] tensor of N = 8192 rows is 1.65 GB and the cap decides which
 *   sizes can run. Each size is first tried in a child process, so an out-of-memory abort does
 *   not end the benchmark.
 *
 * Run: `npm run bench -w @llmkit/losses` (about 10 minutes on a 2-core VM). `ROUNDS` sets the
 * timed rounds per implementation (default 3), `SIZES` the row counts (default
 * "8192,4096,2048,1024"), `BACKENDS` (default "wasm,cpu").
 */
import { execFileSync } from 'node:child_process';
import { crossEntropy } from '@llmkit/losses';
import { dispose, initCompute, memoryReport, ops, type Tensor } from '@llmkit/tensor-gpu';

const VOCAB = 50_257;
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

function step(impl: Impl, rows: number, t: ReturnType<typeof inputs>): number {
  const start = performance.now();
  const [grad] = ops.grads(objective(impl, rows, t.targets, t.flat))([t.logits]);
  dispose(grad!); // cpu and wasm compute synchronously: the gradient is complete here
  return (performance.now() - start) / 1000;
}

async function enginePeak(impl: Impl, rows: number, t: ReturnType<typeof inputs>): Promise<number> {
  const before = memoryReport().bytes;
  const profile = await ops.profile(() => {
    const [grad] = ops.grads(objective(impl, rows, t.targets, t.flat))([t.logits]);
    dispose(grad!);
  });
  return (profile.peakBytes - before) / (rows * VOCAB * 4);
}

/** Child mode: one forward + backward, to see whether the size fits at all. */
async function child(backend: Backend, rows: number, impl: Impl): Promise<void> {
  await initCompute({ backend });
  const t = inputs(rows);
  step(impl, rows, t);
  console.log('ok');
}

function fits(backend: Backend, rows: number, impl: Impl): string {
  const script = new URL(import.meta.url).pathname;
  try {
    execFileSync(
      process.execPath,
      [...process.execArgv, script, 'child', backend, String(rows), impl],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        maxBuffer: 1 << 24,
      },
    );
    return 'yes';
  } catch (error) {
    const text = `${(error as { stderr?: Buffer }).stderr ?? ''}`;
    const reason =
      /out of memory|Array buffer allocation failed|RangeError|abort/i.exec(text)?.[0] ?? 'failed';
    return `no (${reason})`;
  }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const [mode, ...rest] = process.argv.slice(2);
  if (mode === 'child') return child(rest[0] as Backend, Number(rest[1]), rest[2] as Impl);
  const rounds = Number(process.env.ROUNDS ?? 3);
  const sizes = (process.env.SIZES ?? '8192,4096,2048,1024').split(',').map(Number);
  const backends = (process.env.BACKENDS ?? 'wasm,cpu').split(',') as Backend[];
  console.log(`V = ${VOCAB}; ${rounds} rounds; node ${process.version}`);
  console.log(
    '| backend | rows N = B·T | implementation | fits | fwd+bwd (median) | engine peak ([N, V] tensors) |',
  );
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const backend of backends) {
    for (const rows of sizes) {
      const runnable = (['llmkit', 'naive'] as const).filter((impl) => {
        const ok = fits(backend, rows, impl);
        if (ok !== 'yes') console.log(`| ${backend} | ${rows} | ${impl} | ${ok} | — | — |`);
        return ok === 'yes';
      });
      if (runnable.length === 0) continue;
      await initCompute({ backend });
      const t = inputs(rows);
      const times: Record<Impl, number[]> = { llmkit: [], naive: [] };
      for (let round = 0; round < rounds; round++) {
        for (const impl of runnable) times[impl].push(step(impl, rows, t));
      }
      for (const impl of runnable) {
        const peak = await enginePeak(impl, rows, t);
        console.log(
          `| ${backend} | ${rows} | ${impl} | yes | ${median(times[impl]).toFixed(2)} s | ${peak.toFixed(2)} |`,
        );
      }
      dispose([t.logits, t.targets, t.flat]);
    }
  }
}

await main();
