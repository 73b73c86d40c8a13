import { cooperativeYield } from './yieldToEventLoop.js';

/**
 * Runs async tasks with at most `concurrency` in flight. Stops starting new tasks once `signal`
 * aborts or a task fails; waits for those in flight, then rethrows the first failure. Tasks whose
 * callbacks answer at once (a cache, an in-process model) would otherwise chain through
 * microtasks only, so the pool gives the event loop a turn every ~15 ms.
 */
export async function runPool(
  tasks: number,
  concurrency: number,
  run: (index: number) => Promise<void>,
  signal: AbortSignal | undefined,
): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const maybeYield = cooperativeYield();
  const worker = async (): Promise<void> => {
    while (failure === undefined && !signal?.aborted && next < tasks) {
      const index = next++;
      try {
        await run(index);
      } catch (error) {
        failure ??= { error };
      }
      const pause = maybeYield();
      if (pause !== undefined) await pause;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, tasks) }, worker));
  if (failure !== undefined) throw failure.error;
}
