/** Timers that respect an AbortSignal, and a start-spacing rate limiter. */

/** Resolves after `ms`, or rejects with `reason()` as soon as `signal` aborts. */
export function sleep(
  ms: number,
  signal: AbortSignal | undefined,
  reason: () => Error,
): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(reason());
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(reason());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Spaces call starts at least `60000 / perMinute` ms apart (a leaky bucket without bursts);
 * `acquire` resolves when the caller may start.
 */
export function rateLimiter(
  perMinute: number | undefined,
): (signal: AbortSignal | undefined, reason: () => Error) => Promise<void> {
  if (perMinute === undefined) return async () => undefined;
  const interval = 60_000 / perMinute;
  let next = 0;
  return async (signal, reason) => {
    const now = Date.now();
    const start = Math.max(now, next);
    next = start + interval;
    if (start > now) await sleep(start - now, signal, reason);
  };
}
