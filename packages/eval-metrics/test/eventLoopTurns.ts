/**
 * A probe for tests of cooperative long work: a callback that re-queues itself with
 * `setImmediate` and counts how many turns of the event loop it got.
 */
export interface EventLoopTurns {
  /** Turns counted so far. */
  readonly count: () => number;
  /** Stops re-queueing. */
  readonly stop: () => void;
}

/** Starts counting event-loop turns until `stop` is called. */
export function countEventLoopTurns(): EventLoopTurns {
  let turns = 0;
  let running = true;
  const tick = (): void => {
    turns++;
    if (running) setImmediate(tick);
  };
  setImmediate(tick);
  return {
    count: () => turns,
    stop: () => {
      running = false;
    },
  };
}
