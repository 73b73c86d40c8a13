export type { Battle, BattleCountsState, BattleWinner, PairCounts } from './battles.js';
export { BattleCounts } from './battles.js';
export type { BleuOptions, BleuResult, BleuSmoothing } from './bleu.js';
export { corpusBleu, sentenceBleu, tokenize13a } from './bleu.js';
export type {
  BootstrapRatingsOptions,
  BootstrapRatingsResult,
  RatingInterval,
} from './bootstrapRatings.js';
export { bootstrapRatings } from './bootstrapRatings.js';
export type { BradleyTerryOptions, BradleyTerryResult, RatingAnchor } from './bradleyTerry.js';
export { bradleyTerry } from './bradleyTerry.js';
export type { CalibrationBin, CalibrationResult } from './calibration.js';
export { brierScore, expectedCalibrationError } from './calibration.js';
export type { ChunkedOptions } from './chunkedOptions.js';
export type { Label } from './cohenKappa.js';
export { cohenKappa, rawAgreement } from './cohenKappa.js';
export { EvalMetricsError } from './errors.js';
export { fleissKappa } from './fleissKappa.js';
export type { JudgeAgreement, PairwiseVerdict } from './judgeAgreement.js';
export { judgeHumanAgreement } from './judgeAgreement.js';
export type { JudgeLogStorage } from './judgeLog.js';
export { JudgeLog, MemoryJudgeLogStorage } from './judgeLog.js';
export { krippendorffAlpha } from './krippendorffAlpha.js';
export type {
  GamedBaselineRow,
  LengthControlledOptions,
  LengthControlledResult,
  LengthControlledRow,
  LengthControlledWeights,
} from './lengthControlledWinRate.js';
export { lengthControlledWinRate } from './lengthControlledWinRate.js';
export type {
  LoglikelihoodBatchScorer,
  LoglikelihoodFn,
  LoglikelihoodRequest,
  MultipleChoiceItem,
  MultipleChoiceItemResult,
  MultipleChoiceOptions,
  MultipleChoiceResult,
  MultipleChoiceScores,
  ScoreSummary,
} from './multipleChoice.js';
export { evaluateMultipleChoice } from './multipleChoice.js';
export type { FewShotOptions, MultipleChoiceQuestion } from './multipleChoiceTask.js';
export { fewShotContext, parseMultipleChoiceJsonl } from './multipleChoiceTask.js';
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
export type { RougeScore } from './rougeL.js';
export { rougeL, rougeLsum, rougeTokenize } from './rougeL.js';
export type {
  JudgedItem,
  JudgeProgress,
  JudgeRequest,
  JudgeVerdict,
  PairwiseJudge,
  PairwiseJudgeItem,
  PairwiseJudgeOptions,
  PairwiseJudgeResult,
} from './runPairwiseJudge.js';
export { runPairwiseJudge } from './runPairwiseJudge.js';
export { exactMatch, normalizeAnswer, tokenF1 } from './squad.js';
export type {
  CoefficientInterval,
  StyleControlOptions,
  StyleControlProgress,
  StyleControlResult,
} from './styleControlledRatings.js';
export { FASTCHAT_STYLE_PENALTY, styleControlledRatings } from './styleControlledRatings.js';
export type {
  StyleAnswer,
  StyleAttributeOptions,
  StyleAttributes,
  StyleFeatures,
} from './styleFeatures.js';
export { styleAttributes, styleFeatures } from './styleFeatures.js';
export type { SwapReconciliation, WinRateOptions, WinRateResult } from './winRate.js';
export { reconcileSwappedJudgments, winRate } from './winRate.js';
