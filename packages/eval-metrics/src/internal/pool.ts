/**
 * Runs async tasks with at most `concurrency` in flight. Stops starting new tasks once `signal`
 * aborts or a task fails; waits for those in flight, then rethrows the first failure.
 */
export async function runPool(
  tasks: number,
  concurrency: number,
  run: (index: number) => Promise<void>,
  signal: AbortSignal | undefined,
): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (failure === undefined && !signal?.aborted && next < tasks) {
      const index = next++;
      try {
        await run(index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, tasks) }, worker));
  if (failure !== undefined) throw failure.error;
}
