export type { CrossEntropyOptions, CrossEntropyResult, Reduction } from './crossEntropy.js';
export { crossEntropy } from './crossEntropy.js';
export type {
  DpoInputs,
  DpoLossOptions,
  DpoLossType,
  PreferenceLossResult,
} from './dpoLoss.js';
export { DPO_LOSS_TYPES, dpoLoss } from './dpoLoss.js';
export { LossError } from './errors.js';
export type { GaeOptions, GaeResult } from './gae.js';
export { gae } from './gae.js';
export type { GrpoAdvantagesOptions } from './grpoAdvantages.js';
export { grpoAdvantages } from './grpoAdvantages.js';
export type { KlPenalizedRewardsOptions } from './klPenalizedRewards.js';
export { klPenalizedRewards } from './klPenalizedRewards.js';
export type { KtoInputs, KtoLossOptions, KtoLossResult, KtoLossType } from './ktoLoss.js';
export { ktoLoss } from './ktoLoss.js';
export type { MaskedMeanOptions } from './maskedMean.js';
export { maskedMean } from './maskedMean.js';
export type { MaskedWhitenOptions } from './maskedWhiten.js';
export { maskedWhiten } from './maskedWhiten.js';
export type { OrpoInputs, OrpoLossOptions, OrpoLossResult } from './orpoLoss.js';
export { orpoLoss } from './orpoLoss.js';
export type { KlEstimator, PerTokenKlOptions } from './perTokenKl.js';
export { perTokenKl } from './perTokenKl.js';
export type {
  PpoPolicyInputs,
  PpoPolicyLossOptions,
  PpoPolicyLossResult,
  TokenAggregation,
} from './ppoPolicyLoss.js';
export { ppoPolicyLoss } from './ppoPolicyLoss.js';
export type { PpoValueInputs, PpoValueLossOptions, PpoValueLossResult } from './ppoValueLoss.js';
export { ppoValueLoss } from './ppoValueLoss.js';
export type { CrossEntropyReferenceOptions, LogitsReference } from './reference/languageModel.js';
export {
  crossEntropyReference,
  sequenceLogProbsReference,
  tokenEntropyReference,
  tokenLogProbsReference,
} from './reference/languageModel.js';
export {
  gaeReference,
  grpoAdvantagesReference,
  klReference,
  maskedMeanReference,
  maskedWhitenReference,
  ppoPolicyLossReference,
  ppoValueLossReference,
} from './reference/policyGradient.js';
export type { DpoReferenceInputs, PreferenceReferenceResult } from './reference/preference.js';
export {
  dpoLossReference,
  ktoLossReference,
  orpoLossReference,
  rewardModelLossReference,
  simpoLossReference,
} from './reference/preference.js';
export type { RewardModelLossOptions, RewardModelLossResult } from './rewardModelLoss.js';
export { rewardModelLoss } from './rewardModelLoss.js';
export type { SequenceLogProbsOptions } from './sequenceLogProbs.js';
export { sequenceLogProbs } from './sequenceLogProbs.js';
export type { SimpoInputs, SimpoLossOptions } from './simpoLoss.js';
export { simpoLoss } from './simpoLoss.js';
export { tokenEntropy } from './tokenEntropy.js';
export type { TokenLogProbsOptions } from './tokenLogProbs.js';
export { tokenLogProbs } from './tokenLogProbs.js';
