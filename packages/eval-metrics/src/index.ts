export type { Battle, BattleCountsState, BattleWinner, PairCounts } from './battles.js';
export { BattleCounts } from './battles.js';
export type {
  BootstrapRatingsOptions,
  BootstrapRatingsResult,
  RatingInterval,
} from './bootstrapRatings.js';
export { bootstrapRatings } from './bootstrapRatings.js';
export type { BradleyTerryOptions, BradleyTerryResult, RatingAnchor } from './bradleyTerry.js';
export { bradleyTerry } from './bradleyTerry.js';
export { EvalMetricsError } from './errors.js';
export type { JudgeLogStorage } from './judgeLog.js';
export { JudgeLog, MemoryJudgeLogStorage } from './judgeLog.js';
export type {
  GamedBaselineRow,
  LengthControlledOptions,
  LengthControlledResult,
  LengthControlledRow,
  LengthControlledWeights,
} from './lengthControlledWinRate.js';
export { lengthControlledWinRate } from './lengthControlledWinRate.js';
export type { OnlineEloOptions, OnlineEloState } from './onlineElo.js';
export { OnlineElo, onlineElo } from './onlineElo.js';
export type {
  DocumentSize,
  PerplexityOptions,
  PerplexityResult,
  PerplexityState,
} from './perplexity.js';
export { PerplexityAccumulator } from './perplexity.js';
export type { PredictedWinRateOptions, PredictedWinRates } from './predictedWinRates.js';
export { predictedWinRates } from './predictedWinRates.js';
export type {
  RollingLoglikelihood,
  RollingWindowOptions,
  TokenWindow,
  WindowScorer,
} from './rollingWindows.js';
export { rollingLoglikelihood, rollingTokenWindows } from './rollingWindows.js';
export type { SwapReconciliation, WinRateOptions, WinRateResult } from './winRate.js';
export { reconcileSwappedJudgments, winRate } from './winRate.js';
