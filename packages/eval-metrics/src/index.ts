export { EvalMetricsError } from './errors.js';
export type { JudgeLogStorage } from './judgeLog.js';
export { JudgeLog, MemoryJudgeLogStorage } from './judgeLog.js';
export type {
  DocumentSize,
  PerplexityOptions,
  PerplexityResult,
  PerplexityState,
} from './perplexity.js';
export { PerplexityAccumulator } from './perplexity.js';
export type {
  RollingLoglikelihood,
  RollingWindowOptions,
  TokenWindow,
  WindowScorer,
} from './rollingWindows.js';
export { rollingLoglikelihood, rollingTokenWindows } from './rollingWindows.js';
