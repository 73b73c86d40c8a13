/**
 * Cooperative scheduling for long computations: call `maybeYield()` between units of work; it
 * gives the event loop a turn once `budgetMs` has passed since the last turn, so a service stays
 * responsive while a bootstrap runs. Works in Node and browsers (setTimeout(0) is clamped to
 * ~1–4 ms, which is why it only yields after a budget, not after every unit).
 */
export function cooperativeYield(budgetMs = 15): () => Promise<void> | undefined {
  let last = Date.now();
  return () => {
    const now = Date.now();
    if (now - last < budgetMs) return undefined;
    return new Promise<void>((resolve) => {
      setTimeout(() => {
        last = Date.now();
        resolve();
      }, 0);
    });
  };
}
