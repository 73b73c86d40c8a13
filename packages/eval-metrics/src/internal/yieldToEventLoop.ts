/**
 * Cooperative scheduling for long computations, so a service stays responsive while a fit or an
 * aggregation runs. `yieldToEventLoop()` resolves on a macrotask — after pending I/O callbacks,
 * timers and `setImmediate` callbacks queued before it — using `setImmediate` in Node, a
 * `MessageChannel` message in browsers (neither is clamped like `setTimeout(0)`, which browsers
 * hold to ≥ 4 ms after nesting), and `setTimeout(0)` elsewhere.
 */

type Schedule = (callback: () => void) => void;

const schedule: Schedule = (() => {
  const g = globalThis as {
    setImmediate?: (callback: () => void) => unknown;
    MessageChannel?: typeof MessageChannel;
  };
  if (typeof g.setImmediate === 'function') {
    const setImmediate = g.setImmediate;
    return (callback) => {
      setImmediate(callback);
    };
  }
  if (typeof g.MessageChannel === 'function') {
    const channel = new g.MessageChannel();
    const queue: (() => void)[] = [];
    channel.port1.onmessage = () => queue.shift()?.();
    return (callback) => {
      queue.push(callback);
      channel.port2.postMessage(undefined);
    };
  }
  return (callback) => {
    setTimeout(callback, 0);
  };
})();

/** Resolves on the next macrotask, letting I/O, timers and other callbacks run first. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise<void>((resolve) => schedule(resolve));
}

/**
 * Call `maybeYield()` between units of work; it gives the event loop a turn once `budgetMs` has
 * passed since the last turn (yielding after every small unit would cost more than the work).
 */
export function cooperativeYield(budgetMs = 15): () => Promise<void> | undefined {
  let last = Date.now();
  return () => {
    if (Date.now() - last < budgetMs) return undefined;
    return yieldToEventLoop().then(() => {
      last = Date.now();
    });
  };
}
