export type { WorkerCounterOptions } from './createWorkerCounter.js';
export { createWorkerCounter } from './createWorkerCounter.js';
