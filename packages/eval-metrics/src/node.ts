/// <reference types="node" />
/**
 * `@llmkit/eval-metrics/node`: the Node-only pieces — a durable file behind the judge log.
 * Kept out of the main entry so the core bundles for browsers.
 */
export { FileJudgeLogStorage } from './node/fileJudgeLogStorage.js';
