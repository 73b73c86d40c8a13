/**
 * Timing helpers for the benchmarks. The machine is shared, so every benchmark alternates the
 * contenders inside one process and reports medians; CPU time of this process (user + system)
 * is reported beside wall time because it is far less disturbed by other processes' load (every
 * contender here computes on the calling thread).
 */

export interface Sample {
  readonly wallMs: number;
  readonly cpuMs: number;
}

const cpuMs = (): number => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

/** Runs `fn` `repeat` times and returns the mean wall and CPU milliseconds per call. */
export function time(fn: () => void, repeat = 1): Sample {
  const wall0 = performance.now();
  const cpu0 = cpuMs();
  for (let i = 0; i < repeat; i++) fn();
  return { wallMs: (performance.now() - wall0) / repeat, cpuMs: (cpuMs() - cpu0) / repeat };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Median wall and CPU time of samples. */
export function medianSample(samples: readonly Sample[]): Sample {
  return {
    wallMs: median(samples.map((s) => s.wallMs)),
    cpuMs: median(samples.map((s) => s.cpuMs)),
  };
}

/** A markdown table. */
export function markdownTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** Number of repetitions that makes one measurement last about `targetMs`. */
export function repetitionsFor(fn: () => void, targetMs: number): number {
  const { wallMs } = time(fn);
  return Math.max(1, Math.min(1000, Math.round(targetMs / Math.max(wallMs, 1e-3))));
}
